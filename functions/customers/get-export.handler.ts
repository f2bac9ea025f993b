import { getExport } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';
import { transferDeps, withAbsoluteUrls } from './job-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:export',
  async handle({ ctx, params, headers, container }) {
    const view = await getExport(transferDeps(container), ctx, recordIdParam(params, 'Export'));
    return json(200, withAbsoluteUrls(view, headers));
  },
});
