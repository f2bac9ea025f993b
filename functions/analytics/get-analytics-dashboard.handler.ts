import { getAnalyticsDashboard } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'analytics:read',
  async handle({ ctx, container }) {
    return json(200, await getAnalyticsDashboard(container, ctx));
  },
});
