import type { ItemKey } from '../../ports/table-store.port';

/**
 * Keys of the dashboard's pre-aggregated figures (docs/data-model.md "Analytics queries and
 * dashboard"), asserted offline (test/unit/analytics/dashboard-counters.test.ts). Tenant first.
 *
 * - counters: one partition per tenant, `T#t#DASHBOARD`; sk `SEGMENT#<segment>` (customers per RFM
 *   segment) and `ORDERS#<yyyy-mm>` (paid orders of a month, by orderedAt UTC). Each figure group is
 *   one Query of a sort-key prefix/range.
 * - marks: per source record (`customer` or `order`), `T#t#DASHMARK#<kind>#<id>`, sk `MARK`: what
 *   the record currently contributes and the record version that contribution is from. The mark is
 *   written in the same transaction as the counters it moves, which is what makes redelivery and
 *   out-of-order records harmless (see dashboard-counters.ts).
 */
export const DASHBOARD_MARK_SK = 'MARK';
export const SEGMENT_BUCKET_PREFIX = 'SEGMENT#';
export const ORDERS_BUCKET_PREFIX = 'ORDERS#';

export const dashboardKeys = {
  partition: (tenantId: string) => `T#${tenantId}#DASHBOARD`,
  counter: (tenantId: string, bucket: string): ItemKey => ({ pk: dashboardKeys.partition(tenantId), sk: bucket }),
  mark: (tenantId: string, kind: 'customer' | 'order', id: string): ItemKey => ({ pk: `T#${tenantId}#DASHMARK#${kind}#${id}`, sk: DASHBOARD_MARK_SK }),
  segmentBucket: (segment: string) => `${SEGMENT_BUCKET_PREFIX}${segment}`,
  /** `ORDERS#2026-11` for an instant in November 2026 (UTC). */
  ordersBucket: (orderedAt: string) => `${ORDERS_BUCKET_PREFIX}${new Date(orderedAt).toISOString().slice(0, 7)}`,
};
