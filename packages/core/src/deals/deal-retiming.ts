import type { ChangeRecord } from '../events/change-record-events';
import type { Stage } from '../pipelines/pipeline.schema';
import { PIPELINE_ENTITY, toPipeline } from '../pipelines/pipeline.repository';
import { ConditionFailedError, type Item, type TableStore } from '../ports/table-store.port';
import { dealKeys } from './deal.keys';
import { DEAL_ENTITY, DEAL_STALE_TIMER, staleDueAt, toDeal } from './deal.repository';

export interface RetimeResult {
  /** Stages whose SLA changed. */
  stages: number;
  /** Deals whose stale timer was set, moved or cleared. */
  retimed: number;
}

/** Attempts per deal when it changes under the retiming (each re-reads it). */
const ATTEMPTS = 3;

/**
 * A pipeline change (its MODIFY on the change feed) that changed stage SLAs (`slaDays`) moves the
 * `deal-stale` timers of the deals in those stages (ADR 0021): due = stage entry + the new SLA;
 * a removed SLA clears the timer; a due time already past makes the deal stale at the next sweep.
 * Deals already stale, closed or deleted keep what they have (staleDueAt). The timer is written
 * without a version bump (it is bookkeeping, not a change of the deal: no event, no audit, ETags
 * stay valid), conditional on the version read so a concurrent edit — which sets its own timer
 * from the pipeline it read — is never overwritten; such a deal is re-read and retimed again.
 */
export async function retimeStageDeals(deps: { store: TableStore }, record: ChangeRecord): Promise<RetimeResult> {
  const result: RetimeResult = { stages: 0, retimed: 0 };
  if (record.eventName !== 'MODIFY' || record.newImage?.entity !== PIPELINE_ENTITY || !record.oldImage) return result;
  const before = toPipeline(record.oldImage as Item);
  const after = toPipeline(record.newImage as Item);
  const tenantId = String(record.newImage.tenantId);
  const slaBefore = new Map(before.stages.map((s) => [s.key, s.slaDays ?? null]));
  const changed = after.stages.filter((s) => slaBefore.has(s.key) && slaBefore.get(s.key) !== (s.slaDays ?? null));
  result.stages = changed.length;
  for (const stage of changed) {
    let startAfter: Record<string, string> | undefined;
    do {
      const page = await deps.store.query({ index: 'gsi1', partition: dealKeys.byStage(tenantId, after.id, stage.key), limit: 200, startAfter });
      for (const item of page.items) if (await retimeDeal(deps.store, item, stage)) result.retimed += 1;
      startAfter = page.lastKey;
    } while (startAfter);
  }
  return result;
}

async function retimeDeal(store: TableStore, listed: Item, stage: Stage): Promise<boolean> {
  let item: Item | undefined = listed;
  for (let attempt = 0; attempt < ATTEMPTS && item; attempt += 1) {
    if (item.entity !== DEAL_ENTITY || item.stage !== stage.key) return false;
    const deal = toDeal(item);
    const due = staleDueAt(deal, stage);
    const { [DEAL_STALE_TIMER]: current, ...others } = (item.timers ?? {}) as Record<string, string>;
    if (current === due) return false;
    const timers = due ? { ...others, [DEAL_STALE_TIMER]: due } : others;
    const { timers: _old, ...rest } = item;
    try {
      await store.put({ ...rest, ...(Object.keys(timers).length ? { timers } : {}) }, { condition: { kind: 'equals', attribute: 'version', value: deal.version } });
      return true;
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      item = await store.get({ pk: item.pk as string, sk: item.sk as string }, { consistent: true });
    }
  }
  return false;
}
