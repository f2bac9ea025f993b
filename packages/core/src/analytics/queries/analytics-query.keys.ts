import type { ItemKey } from '../../ports/table-store.port';

/**
 * Keys of analytics queries (docs/data-model.md "Analytics queries and dashboard"), asserted offline
 * (test/unit/analytics/analytics-query.test.ts). One item per query in its own partition, tenant first:
 * `GET /v1/analytics/queries/{id}` is one consistent GetItem, and another tenant's id names a key
 * that cannot exist in the caller's key space.
 */
export const ANALYTICS_QUERY_SK = 'AQUERY';

export const analyticsQueryKeys = {
  query: (tenantId: string, id: string): ItemKey => ({ pk: `T#${tenantId}#AQUERY#${id}`, sk: ANALYTICS_QUERY_SK }),
};
