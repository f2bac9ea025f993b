import { deleteWebhook } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'webhooks:manage',
  async handle({ ctx, params, container }) {
    await deleteWebhook(container, ctx, recordIdParam(params, 'Webhook'));
    return { status: 204 };
  },
});
