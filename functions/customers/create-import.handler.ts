import { createImport, CreateImportInput } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { transferDeps, withAbsoluteUrls } from './job-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:import',
  body: CreateImportInput,
  async handle({ ctx, body, headers, container }) {
    const view = await createImport(transferDeps(container), ctx, body);
    return json(201, withAbsoluteUrls(view, headers), { location: `/v1/imports/${view.id}` });
  },
});
