import { listWebhooks, ListWebhooksQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'webhooks:read',
  query: ListWebhooksQuery,
  async handle({ ctx, query, container }) {
    return json(200, await listWebhooks(container, ctx, query));
  },
});
