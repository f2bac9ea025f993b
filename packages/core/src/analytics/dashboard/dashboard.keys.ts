import { orgKey } from '../../access/data-scope';
import type { ItemKey } from '../../ports/table-store.port';

/**
 * Keys of the dashboard's pre-aggregated figures (docs/data-model.md "Analytics queries and
 * dashboard"), asserted offline (test/unit/analytics/dashboard-counters.test.ts). Tenant first.
 *
 * - counters: one partition per tenant, `T#t#DASHBOARD`; tenant totals at sk `SEGMENT#<segment>`
 *   (customers per RFM segment) and `ORDERS#<yyyy-mm>` (paid orders of a month, by orderedAt UTC);
 *   the same figures per org unit at `UNIT#SEGMENT#<segment>#<orgKey>` and
 *   `UNIT#ORDERS#<yyyy-mm>#<orgKey>` — the board counters' shape (figure, then the org unit as
 *   `orgKey`: `/` or `/hq/east/`), summed over the units within the caller's subtree like the board
 *   does (pipelines/stage-counters.ts). Each figure group is one Query of a sort-key prefix/range.
 * - marks: per source record (`customer` or `order`), `T#t#DASHMARK#<kind>#<id>`, sk `MARK`: what
 *   the record currently contributes and the record version that contribution is from. The mark is
 *   written in the same transaction as the counters it moves, which is what makes redelivery and
 *   out-of-order records harmless (see dashboard-counters.ts).
 */
export const DASHBOARD_MARK_SK = 'MARK';
export const SEGMENT_BUCKET_PREFIX = 'SEGMENT#';
export const ORDERS_BUCKET_PREFIX = 'ORDERS#';
export const UNIT_SEGMENT_BUCKET_PREFIX = 'UNIT#SEGMENT#';
export const UNIT_ORDERS_BUCKET_PREFIX = 'UNIT#ORDERS#';

const monthOf = (orderedAt: string) => new Date(orderedAt).toISOString().slice(0, 7);

export const dashboardKeys = {
  partition: (tenantId: string) => `T#${tenantId}#DASHBOARD`,
  counter: (tenantId: string, bucket: string): ItemKey => ({ pk: dashboardKeys.partition(tenantId), sk: bucket }),
  mark: (tenantId: string, kind: 'customer' | 'order', id: string): ItemKey => ({ pk: `T#${tenantId}#DASHMARK#${kind}#${id}`, sk: DASHBOARD_MARK_SK }),
  segmentBucket: (segment: string) => `${SEGMENT_BUCKET_PREFIX}${segment}`,
  /** `ORDERS#2026-11` for an instant in November 2026 (UTC). */
  ordersBucket: (orderedAt: string) => `${ORDERS_BUCKET_PREFIX}${monthOf(orderedAt)}`,
  /** `UNIT#SEGMENT#important_value#/hq/east/`: customers of a segment owned by one org unit. */
  unitSegmentBucket: (segment: string, orgPath: string) => `${UNIT_SEGMENT_BUCKET_PREFIX}${segment}#${orgKey(orgPath)}`,
  /** `UNIT#ORDERS#2026-11#/hq/east/`: paid orders of a month whose customer belongs to one org unit. */
  unitOrdersBucket: (orderedAt: string, orgPath: string) => `${UNIT_ORDERS_BUCKET_PREFIX}${monthOf(orderedAt)}#${orgKey(orgPath)}`,
};

/** The figure (`important_value`, `2026-11`) and org unit (`/hq/east`) of a per-unit counter's sort key. */
export function unitBucketParts(bucket: string): { figure: string; orgPath: string } {
  const rest = bucket.startsWith(UNIT_SEGMENT_BUCKET_PREFIX) ? bucket.slice(UNIT_SEGMENT_BUCKET_PREFIX.length) : bucket.slice(UNIT_ORDERS_BUCKET_PREFIX.length);
  const at = rest.indexOf('#');
  const key = rest.slice(at + 1);
  return { figure: rest.slice(0, at), orgPath: key === '/' ? '/' : key.slice(0, -1) };
}
