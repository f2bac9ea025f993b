import { startDuplicateScan } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:merge',
  async handle({ ctx, container }) {
    const view = await startDuplicateScan(container, ctx);
    return json(202, view, { location: `/v1/duplicates/scan/${view.id}` });
  },
});
