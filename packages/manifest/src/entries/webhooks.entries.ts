import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Routes that see or set signing secrets seal/open them with the field-encryption key. */
const route = (name: string, method: Method, path: string, permission: string, table: 'read' | 'read-write', summary: string, secrets = false): ManifestEntry =>
  jwtRoute('webhooks', name, method, path, summary, { context: 'webhooks', table, scopes: SCOPES.admin, permission, ...(secrets ? { fieldEncryption: true as const } : {}) });

/**
 * Partner webhooks (issue 5): tenant admins subscribe HTTPS endpoints to domain events; the
 * dispatcher signs (Standard Webhooks) and delivers them with retries. docs/webhooks.md,
 * docs/adr/0018-partner-webhooks.md.
 */
export const webhookEntries: ManifestEntry[] = [
  route('create-webhook', 'POST', '/v1/webhooks', 'webhooks:manage', 'read-write', 'Subscribe an endpoint to event types or patterns; answers the signing secret once', true),
  route('list-webhooks', 'GET', '/v1/webhooks', 'webhooks:read', 'read', "The tenant's webhook subscriptions"),
  route('get-webhook', 'GET', '/v1/webhooks/{id}', 'webhooks:read', 'read', 'One webhook subscription (never its secret)'),
  route('update-webhook', 'PATCH', '/v1/webhooks/{id}', 'webhooks:manage', 'read-write', 'Change url, events, description; pause or resume (re-enables a disabled endpoint)'),
  route('delete-webhook', 'DELETE', '/v1/webhooks/{id}', 'webhooks:manage', 'read-write', 'Remove a webhook subscription'),
  route('rotate-webhook-secret', 'POST', '/v1/webhooks/{id}/rotate-secret', 'webhooks:manage', 'read-write', 'New signing secret; the previous one keeps signing for 24 h', true),
  route('list-webhook-deliveries', 'GET', '/v1/webhooks/{id}/deliveries', 'webhooks:read', 'read', 'Deliveries newest first: status, attempts, latency, response excerpt'),
  {
    ...route('replay-webhook-delivery', 'POST', '/v1/webhooks/{id}/deliveries/{deliveryId}/replay', 'webhooks:manage', 'read-write', 'Send a delivery again now', true),
    timeoutSeconds: 29,
  },
  {
    kind: 'stream', name: 'dispatch-webhooks', context: 'webhooks', entry: 'functions/webhooks/dispatch-webhooks.handler.ts', entities: ['customer', 'interaction', 'deal', 'task', 'order', 'customer-churn', 'webhook-retry'],
    table: 'read-write', batchSize: 50, maxBatchingWindowSeconds: 1, fieldEncryption: true, timeoutSeconds: 120,
    summary: 'Fans domain events out to matching webhook subscriptions and delivers them signed (retries via TTL timers)',
  },
];
