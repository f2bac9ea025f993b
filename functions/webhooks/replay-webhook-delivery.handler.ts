import { replayWebhookDelivery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';
import { webhookDispatchDeps } from './webhook-runtime';

/** Sends a delivery again now (synchronously, one attempt of at most 10 s) and answers its new state. */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'webhooks:manage',
  async handle({ ctx, params, container }) {
    const webhookId = recordIdParam(params, 'Webhook');
    // The webhook is checked first (404 for a foreign one); any delivery id is then looked up under it.
    return json(200, await replayWebhookDelivery(webhookDispatchDeps(container), ctx, webhookId, (params.deliveryId ?? '').slice(0, 64)));
  },
});
