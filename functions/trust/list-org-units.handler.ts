import { listOrgUnits, ListOrgUnitsQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'org-units:read',
  query: ListOrgUnitsQuery,
  async handle({ ctx, query, container }) {
    return json(200, await listOrgUnits(container, ctx, query));
  },
});
