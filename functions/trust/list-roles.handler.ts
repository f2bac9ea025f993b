import { listRoles } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'roles:read',
  async handle({ ctx, container }) {
    return json(200, await listRoles(container, ctx));
  },
});
