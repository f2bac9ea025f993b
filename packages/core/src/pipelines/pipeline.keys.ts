/**
 * Keys of pipelines and their per-stage deal counters, defined once and asserted offline
 * (test/unit/sales/sales-keys.test.ts). Tenant first in every partition key. See docs/data-model.md
 * ("Sales: pipelines and deals").
 */
import { orgKey } from '../access/data-scope';
import { nameKey } from '../customers/customer.keys';
import type { ItemKey } from '../ports/table-store.port';

const tenantPrefix = (tenantId: string) => `T#${tenantId}`;

export const PIPELINE_SK = 'PIPELINE';
export const COUNTER_SK_PREFIX = 'COUNT#';

export const pipelineKeys = {
  /** The pipeline's item collection: its definition and its stage counters. */
  partition: (tenantId: string, id: string) => `${tenantPrefix(tenantId)}#PIPELINE#${id}`,
  pipeline: (tenantId: string, id: string): ItemKey => ({ pk: pipelineKeys.partition(tenantId, id), sk: PIPELINE_SK }),
  /** gsi1: the tenant's pipelines (or the archived ones), by name. */
  list: (tenantId: string, archived: boolean) => `${tenantPrefix(tenantId)}#PIPELINES${archived ? '#ARCHIVED' : ''}`,
  listSortKey: (name: string, id: string) => `${nameKey(name)}#${id}`,
  /**
   * One counter per (stage, owning org unit): live deals and their amounts per currency. Per org
   * unit so a board can sum exactly the caller's subtree; the org key ends with `/`, so a stage's
   * counters are one prefix and `/hq/` never matches `/hqx/`.
   */
  counter: (tenantId: string, pipelineId: string, stage: string, orgPath: string): ItemKey => ({
    pk: pipelineKeys.partition(tenantId, pipelineId),
    sk: `${COUNTER_SK_PREFIX}${stage}#${orgKey(orgPath)}`,
  }),
  /** Sort-key prefix of all counters of a pipeline, or of one stage. */
  counterPrefix: (stage?: string) => (stage ? `${COUNTER_SK_PREFIX}${stage}#` : COUNTER_SK_PREFIX),
};
