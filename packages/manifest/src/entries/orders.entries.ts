import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

const read = { context: 'sales', table: 'read', scopes: SCOPES.customersRead, permission: 'orders:read' } as const;

/**
 * Orders (issue 6): the monetary facts of a customer (RFM), recorded through the API or made from
 * POS / e-commerce interactions by a stream consumer, with per-customer order stats kept in step.
 */
export const orderEntries: ManifestEntry[] = [
  jwtRoute('sales', 'create-order', 'POST', '/v1/orders', 'Record an order of a customer (idempotent per source and externalId)',
    { context: 'sales', table: 'read-write', scopes: SCOPES.customersWrite, permission: 'orders:create' }),
  jwtRoute('sales', 'list-orders', 'GET', '/v1/orders', 'Orders by orderedAt, of one customer or of the tenant (status/from/to filters, cursor pages)', read),
  jwtRoute('sales', 'get-order', 'GET', '/v1/orders/{id}', 'Get an order', read),
  jwtRoute('sales', 'update-order', 'PATCH', '/v1/orders/{id}', 'Change an order status: paid → refunded | cancelled (If-Match required)',
    { context: 'sales', table: 'read-write', scopes: SCOPES.customersWrite, permission: 'orders:update' }),
  jwtRoute('sales', 'get-customer-order-stats', 'GET', '/v1/customers/{id}/order-stats', "A customer's order totals per currency (paid, refunded, first/last order)", read),
  {
    kind: 'stream', name: 'orders-from-interactions', context: 'sales', entry: 'functions/sales/orders-from-interactions.handler.ts', entities: ['interaction'],
    table: 'read-write', batchSize: 100, maxBatchingWindowSeconds: 1,
    summary: 'Records POS purchases and paid e-commerce order interactions as orders (idempotent per interaction)',
  },
];
