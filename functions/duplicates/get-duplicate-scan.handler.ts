import { getDuplicateScan } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:merge',
  async handle({ ctx, params, container }) {
    return json(200, await getDuplicateScan(container, ctx, recordIdParam(params, 'Duplicate scan')));
  },
});
