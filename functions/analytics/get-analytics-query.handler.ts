import { getAnalyticsQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'analytics:read',
  async handle({ ctx, params, container }) {
    return json(200, await getAnalyticsQuery(container, ctx, recordIdParam(params, 'Analytics query')));
  },
});
