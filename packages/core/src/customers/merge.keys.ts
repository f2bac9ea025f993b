import type { ItemKey } from '../ports/table-store.port';

/**
 * A merge's item collection `T#<t>#MERGE#<mergeId>`: the record (`MERGE`), the before-images of
 * every record involved (`BEFORE#<customerId>`), the index-item operations to apply and to undo
 * (`OPS#apply#<n>`, `OPS#undo#<n>`), the contacts moved to the survivor (`MOVED#<customerId>`) and the
 * timeline items moved into its item collection (`MOVEDIX#<timeline sort key>`).
 */
export const mergeKeys = {
  partition: (tenantId: string, mergeId: string) => `T#${tenantId}#MERGE#${mergeId}`,
  record: (tenantId: string, mergeId: string): ItemKey => ({ pk: mergeKeys.partition(tenantId, mergeId), sk: 'MERGE' }),
  before: (tenantId: string, mergeId: string, customerId: string): ItemKey => ({ pk: mergeKeys.partition(tenantId, mergeId), sk: `BEFORE#${customerId}` }),
  ops: (tenantId: string, mergeId: string, phase: 'apply' | 'undo', n: number): ItemKey => ({ pk: mergeKeys.partition(tenantId, mergeId), sk: `OPS#${phase}#${String(n).padStart(4, '0')}` }),
  moved: (tenantId: string, mergeId: string, customerId: string): ItemKey => ({ pk: mergeKeys.partition(tenantId, mergeId), sk: `MOVED#${customerId}` }),
  /** A timeline item moved to the survivor (its sort key is unchanged, only the partition). */
  movedInteraction: (tenantId: string, mergeId: string, timelineSk: string): ItemKey => ({ pk: mergeKeys.partition(tenantId, mergeId), sk: `MOVEDIX#${timelineSk}` }),
};
