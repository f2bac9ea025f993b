import { ListDeliveriesQuery, listWebhookDeliveries } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'webhooks:read',
  query: ListDeliveriesQuery,
  async handle({ ctx, params, query, container }) {
    return json(200, await listWebhookDeliveries(container, ctx, recordIdParam(params, 'Webhook'), query));
  },
});
