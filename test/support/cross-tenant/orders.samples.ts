import type { CrossTenantSample } from './sample';

/** Requests tenant B (and another team) send at tenant A's records for each orders id route. */
export const orderSamples: Record<string, CrossTenantSample> = {
  'get-order': { target: 'order' },
  // A valid status change with a matching ETag: only the tenant/team boundary can make it 404.
  'update-order': { target: 'order', body: { status: 'refunded' }, headers: { 'if-match': '"1"' } },
  'get-customer-order-stats': {},
};
