import { ListFieldsQuery, loadFieldDefinitions } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'fields:read',
  query: ListFieldsQuery,
  async handle({ ctx, query, container }) {
    return json(200, { items: await loadFieldDefinitions(container.store, ctx.principal.tenantId, query.objectType) });
  },
});
