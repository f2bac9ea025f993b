/**
 * Keys of deals and their stage history, defined once and asserted offline
 * (test/unit/sales/sales-keys.test.ts). Tenant first in every partition key. Every list index sorts
 * by `<expectedCloseDate or ~>#<id>`, so a close-date range is one sort-key range on any of them and
 * undated deals come last. See docs/data-model.md ("Sales: pipelines and deals").
 */
import type { Item, ItemKey } from '../ports/table-store.port';

const tenantPrefix = (tenantId: string) => `T#${tenantId}`;

export const DEAL_SK = 'DEAL';
export const HISTORY_SK_PREFIX = 'HIST#';
/** Sorts after every date: undated deals come last and fall outside every date range. */
export const UNDATED = '~';

export const dealKeys = {
  /** The deal's item collection: the deal and its stage history. */
  partition: (tenantId: string, id: string) => `${tenantPrefix(tenantId)}#DEAL#${id}`,
  deal: (tenantId: string, id: string): ItemKey => ({ pk: dealKeys.partition(tenantId, id), sk: DEAL_SK }),
  history: (tenantId: string, dealId: string, at: string, id: string): ItemKey => ({ pk: dealKeys.partition(tenantId, dealId), sk: `${HISTORY_SK_PREFIX}${at}#${id}` }),
  /** gsi1: deals of one pipeline stage (the board's columns, `?pipelineId=&stage=`). */
  byStage: (tenantId: string, pipelineId: string, stage: string) => `${tenantPrefix(tenantId)}#DEALSTAGE#${pipelineId}#${stage}`,
  /** gsi2: deals of one owner. */
  byOwner: (tenantId: string, ownerId: string) => `${tenantPrefix(tenantId)}#DEALOWNER#${ownerId}`,
  /** gsi3: deals of one pipeline. */
  byPipeline: (tenantId: string, pipelineId: string) => `${tenantPrefix(tenantId)}#DEALPIPE#${pipelineId}`,
  /** gsi4: all live deals of the tenant (or the deleted ones). */
  all: (tenantId: string, deleted: boolean) => `${tenantPrefix(tenantId)}#DEALS${deleted ? '#DELETED' : ''}`,
  /** gsi5: deals of one customer. */
  byCustomer: (tenantId: string, customerId: string) => `${tenantPrefix(tenantId)}#DEALCUST#${customerId}`,
  /** Sort key of every list index. */
  listSortKey: (expectedCloseDate: string | undefined, id: string) => `${expectedCloseDate ?? UNDATED}#${id}`,
};

/** Index attributes of a deal: a deleted one is only in the tenant's trash partition. */
export function dealIndexAttributes(
  tenantId: string,
  d: { id: string; pipelineId: string; stage: string; ownerId: string; customerId: string; expectedCloseDate?: string; deletedAt?: string },
): Partial<Item> {
  const sk = dealKeys.listSortKey(d.expectedCloseDate, d.id);
  if (d.deletedAt) return { gsi4pk: dealKeys.all(tenantId, true), gsi4sk: sk };
  return {
    gsi1pk: dealKeys.byStage(tenantId, d.pipelineId, d.stage), gsi1sk: sk,
    gsi2pk: dealKeys.byOwner(tenantId, d.ownerId), gsi2sk: sk,
    gsi3pk: dealKeys.byPipeline(tenantId, d.pipelineId), gsi3sk: sk,
    gsi4pk: dealKeys.all(tenantId, false), gsi4sk: sk,
    gsi5pk: dealKeys.byCustomer(tenantId, d.customerId), gsi5sk: sk,
  };
}

/** Whether a partition-key value belongs to the tenant (validates cursors). */
export function isTenantKey(tenantId: string, value: string): boolean {
  return value.startsWith(`${tenantPrefix(tenantId)}#`);
}
