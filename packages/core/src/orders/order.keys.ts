import { createHash } from 'node:crypto';
import type { Item, ItemKey } from '../ports/table-store.port';
import { customerKeys } from '../customers/customer.keys';

/**
 * Every key of the orders context, defined once and asserted offline (test/unit/orders/order-keys.test.ts).
 * See docs/data-model.md "Orders". Tenant id first in every partition key, GSI keys included.
 *
 * - order: own partition `T#t#ORDER#<id>` (GET by id), indexed by customer (gsi1) and tenant-wide
 *   (gsi2), both sorted by `<orderedAt>#<id>`, so a date range is one sort-key range.
 * - external-id claim: `T#t#ORDEREXT#<source>#<digest>` written with notExists in the order's
 *   transaction: one order per (tenant, source, shop order number).
 * - shop-order reference: `T#t#ORDERSHOP#<source>#<digest>` for orders made from interactions.
 * - order stats: one item in the customer's own collection (`T#t#C#<id>`, sk `ORDERSTATS`).
 */
export const ORDER_SK = 'ORDER';
export const ORDER_STATS_SK = 'ORDERSTATS';

const tenantPrefix = (tenantId: string) => `T#${tenantId}`;
/** Shop order numbers are digested: any characters, fixed length, no `#` injection. */
const digest = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 32);

export const orderKeys = {
  order: (tenantId: string, id: string): ItemKey => ({ pk: `${tenantPrefix(tenantId)}#ORDER#${id}`, sk: ORDER_SK }),
  /** gsi1: the orders of one customer. */
  byCustomer: (tenantId: string, customerId: string) => `${tenantPrefix(tenantId)}#CORDERS#${customerId}`,
  /** gsi2: every order of the tenant (analytics exports). */
  tenantOrders: (tenantId: string) => `${tenantPrefix(tenantId)}#ORDERS`,
  /** Sort key of both indexes; `orderedAt` is a canonical ISO instant (toISOString). */
  sortKey: (orderedAt: string, id: string) => `${orderedAt}#${id}`,
  /** Sort-key bounds of an orderedAt range (both ends inclusive). */
  from: (from: string) => from,
  to: (to: string) => `${to}#~`,
  externalId: (tenantId: string, source: string, externalId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#ORDEREXT#${source}#${digest(externalId)}`, sk: 'ORDEREXT',
  }),
  /**
   * The shop's own order (POS store + receipt, platform + shop + order number) → the order made from
   * its paid interaction: a second paid event of the same shop order adds nothing, and its refund or
   * cancellation finds the order.
   */
  shopOrder: (tenantId: string, source: string, shopRef: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#ORDERSHOP#${source}#${digest(shopRef)}`, sk: 'ORDERSHOP',
  }),
  stats: (tenantId: string, customerId: string): ItemKey => ({ pk: customerKeys.partition(tenantId, customerId), sk: ORDER_STATS_SK }),
};

/** Index attributes of an order item. */
export function orderIndexAttributes(tenantId: string, o: { id: string; customerId: string; orderedAt: string }): Partial<Item> {
  const sk = orderKeys.sortKey(o.orderedAt, o.id);
  return { gsi1pk: orderKeys.byCustomer(tenantId, o.customerId), gsi1sk: sk, gsi2pk: orderKeys.tenantOrders(tenantId), gsi2sk: sk };
}
