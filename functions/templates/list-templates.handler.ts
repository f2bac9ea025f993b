import { listTemplates } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'templates:read',
  async handle() {
    return json(200, { items: listTemplates() });
  },
});
