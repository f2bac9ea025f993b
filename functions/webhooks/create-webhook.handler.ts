import { createWebhook, CreateWebhookInput } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { webhookTargets } from './webhook-runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'webhooks:manage',
  body: CreateWebhookInput,
  async handle({ ctx, body, container }) {
    const webhook = await createWebhook(container, webhookTargets(), ctx, body);
    return json(201, webhook, { location: `/v1/webhooks/${webhook.id}`, 'cache-control': 'no-store' });
  },
});
