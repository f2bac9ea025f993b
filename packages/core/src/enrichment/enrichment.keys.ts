/**
 * Keys of the enrichment items, defined once (tenant first in every partition key).
 * - Cache: one item per (tenant, lookup key), TTL-expired; a credit code and a folded name are
 *   told apart by a `CC#`/`NAME#` segment (a name could in theory be 18 characters of digits).
 * - Budget: one counter per tenant and UTC day, TTL-expired after two days.
 */
import { nameKey } from '../customers/customer.keys';
import type { ItemKey } from '../ports/table-store.port';

export const ENRICHMENT_CACHE_SK = 'RESULT';

export const enrichmentKeys = {
  cacheByCreditCode: (tenantId: string, creditCode: string): ItemKey => ({ pk: `T#${tenantId}#ENRICH#CC#${creditCode}`, sk: ENRICHMENT_CACHE_SK }),
  cacheByName: (tenantId: string, name: string): ItemKey => ({ pk: `T#${tenantId}#ENRICH#NAME#${nameKey(name)}`, sk: ENRICHMENT_CACHE_SK }),
  /** `day` is the UTC date, YYYY-MM-DD. */
  budget: (tenantId: string, day: string): ItemKey => ({ pk: `T#${tenantId}#ENRICHBUDGET`, sk: day }),
};
