import { listGrants, ListGrantsQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'grants:read',
  query: ListGrantsQuery,
  async handle({ ctx, query, container }) {
    return json(200, await listGrants(container, ctx, query));
  },
});
