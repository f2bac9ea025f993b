import { startImport } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';
import { transferDeps, withAbsoluteUrls } from './job-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:import',
  async handle({ ctx, params, headers, container }) {
    const view = await startImport(transferDeps(container), ctx, recordIdParam(params, 'Import'));
    return json(202, withAbsoluteUrls(view, headers), { location: `/v1/imports/${view.id}` });
  },
});
