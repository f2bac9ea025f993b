import { rotateWebhookSecret } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'webhooks:manage',
  async handle({ ctx, params, container }) {
    return json(200, await rotateWebhookSecret(container, ctx, recordIdParam(params, 'Webhook')), { 'cache-control': 'no-store' });
  },
});
