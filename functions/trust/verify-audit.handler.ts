import { verifyAudit, VerifyAuditQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'audit:read',
  query: VerifyAuditQuery,
  async handle({ ctx, query, container }) {
    return json(200, await verifyAudit(container, ctx, query));
  },
});
