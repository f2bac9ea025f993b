import { getImport } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';
import { transferDeps, withAbsoluteUrls } from './job-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:import',
  async handle({ ctx, params, headers, container }) {
    const view = await getImport(transferDeps(container), ctx, recordIdParam(params, 'Import'));
    return json(200, withAbsoluteUrls(view, headers));
  },
});
