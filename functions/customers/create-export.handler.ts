import { createExport, CreateExportInput } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { transferDeps } from './job-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:export',
  body: CreateExportInput,
  async handle({ ctx, body, container }) {
    const view = await createExport(transferDeps(container), ctx, body);
    return json(202, view, { location: `/v1/exports/${view.id}` });
  },
});
