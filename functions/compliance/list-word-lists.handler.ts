import { listWordLists } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'compliance:read',
  async handle({ ctx, container }) {
    return json(200, await listWordLists(container.store, ctx.principal.tenantId));
  },
});
