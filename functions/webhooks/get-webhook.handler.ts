import { getWebhook } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'webhooks:read',
  async handle({ ctx, params, container }) {
    return json(200, await getWebhook(container, ctx, recordIdParam(params, 'Webhook')));
  },
});
