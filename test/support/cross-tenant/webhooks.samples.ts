import type { CrossTenantSample } from './sample';

/** Webhook id routes: another tenant's webhook id must be 404 (webhooks are tenant configuration). */
export const webhookSamples: Record<string, CrossTenantSample> = {
  'get-webhook': { target: 'webhook' },
  'update-webhook': { target: 'webhook', body: { paused: true } },
  'delete-webhook': { target: 'webhook' },
  'rotate-webhook-secret': { target: 'webhook' },
  'list-webhook-deliveries': { target: 'webhook' },
  'replay-webhook-delivery': { target: 'webhook' },
};
