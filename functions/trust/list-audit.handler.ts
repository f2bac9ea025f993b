import { listAudit, ListAuditQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'audit:read',
  query: ListAuditQuery,
  async handle({ ctx, query, container }) {
    return json(200, await listAudit(container, ctx, query));
  },
});
