import { updateWebhook, UpdateWebhookInput } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';
import { webhookTargets } from './webhook-runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'webhooks:manage',
  body: UpdateWebhookInput,
  async handle({ ctx, params, body, container }) {
    return json(200, await updateWebhook(container, webhookTargets(), ctx, recordIdParam(params, 'Webhook'), body));
  },
});
