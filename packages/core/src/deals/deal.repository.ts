import { actorOf as principalActor } from '../customers/customer.repository';
import { AppError, notFound } from '../errors';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type Item, type TableStore, type TransactOperation } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import type { SecuredContext } from '../access/access-policy';
import { canSeeRecord } from '../access/data-scope';
import { assertTransactionSize } from '../customers/derived-items';
import { etagOf } from '../shared/etag';
import { pipelineKeys } from '../pipelines/pipeline.keys';
import type { Pipeline, Stage } from '../pipelines/pipeline.schema';
import type { CounterContribution } from '../pipelines/stage-counters';
import { dealIndexAttributes, dealKeys } from './deal.keys';
import type { Deal, StageHistoryEntry } from './deal.schema';
import { pickFields } from '../shared/pick-fields';

/** What the deal use cases depend on (ports only). */
export interface DealDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
}

export const DEAL_ENTITY = 'deal';
export const STAGE_HISTORY_ENTITY = 'deal-stage-history';
/** Timer kind that flags a deal stale when it overstays its stage's SLA (deal-timers.ts). */
export const DEAL_STALE_TIMER = 'deal-stale';

const RECORD_FIELDS = [
  'id', 'name', 'amount', 'currency', 'expectedCloseDate', 'ownerId', 'orgPath', 'customerId', 'contactIds', 'pipelineId', 'stage', 'stageEnteredAt',
  'outcome', 'closedAt', 'closeReason', 'stale', 'staleSince', 'customFields', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'deletedAt', 'deletedBy',
] as const satisfies readonly (keyof Deal)[];

const DAY_MS = 86_400_000;

/** When the deal becomes stale in its current stage; undefined when no SLA applies. */
export function staleDueAt(deal: Deal, stage: Stage | undefined): string | undefined {
  if (!stage?.slaDays || stage.outcome || deal.deletedAt || deal.stale) return undefined;
  return new Date(Date.parse(deal.stageEnteredAt) + stage.slaDays * DAY_MS).toISOString();
}

/**
 * The stored deal item: keys, list indexes, the record, and `timers['deal-stale']` while its stage
 * has an SLA that has not yet run out (docs/adr/0021-timers.md).
 */
export function dealItem(tenantId: string, deal: Deal, stage: Stage | undefined): Item {
  const due = staleDueAt(deal, stage);
  return {
    ...dealKeys.deal(tenantId, deal.id),
    ...dealIndexAttributes(tenantId, deal),
    entity: DEAL_ENTITY,
    tenantId,
    ...deal,
    ...(due ? { timers: { [DEAL_STALE_TIMER]: due } } : {}),
  };
}

/**
 * The stored deal item pointed at another customer (a merge's survivor, or back on undo): customer
 * and its list index (gsi5) change, everything else — the `deal-stale` timer and the stage counters
 * included — stays as it is (the customer is no counter dimension). The caller bumps `version`.
 */
export function repointDealItem(tenantId: string, item: Item, customerId: string): Item {
  const deal = { ...toDeal(item), customerId };
  return { ...item, ...dealIndexAttributes(tenantId, deal), customerId };
}

export function toDeal(item: Item): Deal {
  return pickFields<Deal>(item, RECORD_FIELDS);
}

export function historyItem(tenantId: string, entry: StageHistoryEntry): Item {
  return { ...dealKeys.history(tenantId, entry.dealId, entry.at, entry.id), entity: STAGE_HISTORY_ENTITY, tenantId, ...entry };
}

export function toHistoryEntry(item: Item): StageHistoryEntry {
  const { id, dealId, pipelineId, from, to, at, by, durationMs, reason } = item as unknown as StageHistoryEntry;
  return { id, dealId, pipelineId, ...(from !== undefined ? { from } : {}), to, at, by, durationMs, ...(reason !== undefined ? { reason } : {}) };
}

/** What a live deal adds to its stage counter (none when deleted). */
export function contributionOf(deal: Deal): CounterContribution | undefined {
  if (deal.deletedAt) return undefined;
  return { pipelineId: deal.pipelineId, stage: deal.stage, orgPath: deal.orgPath, currency: deal.currency, ...(deal.amount !== undefined ? { amount: deal.amount } : {}) };
}

export async function loadDeal(store: TableStore, tenantId: string, id: string): Promise<Deal | undefined> {
  const item = await store.get(dealKeys.deal(tenantId, id), { consistent: true });
  return item ? toDeal(item) : undefined;
}

/** A deal the caller may see (owner, org subtree, share `deal:<id>`), or 404 — foreign ones look absent. */
export async function requireVisibleDeal(store: TableStore, ctx: SecuredContext, id: string, options: { includeDeleted?: boolean } = {}): Promise<Deal> {
  const deal = await loadDeal(store, ctx.principal.tenantId, id);
  if (!deal || (deal.deletedAt && !options.includeDeleted) || !canSeeRecord(ctx.access, 'deal', deal)) throw notFound(`Deal ${id}`);
  return deal;
}

/** Who did it (the customers module's rule: `client:<id>` for partner clients). */
export function actorOf(ctx: RequestContext): string {
  return principalActor(ctx.principal);
}

export function dealAuditOperation(deps: Pick<DealDeps, 'clock' | 'ids'>, ctx: RequestContext, action: string, before: Deal | undefined, after: Deal, options: { keepBefore?: boolean; detail?: Record<string, unknown> } = {}): TransactOperation {
  return auditPutOperation(auditEntryFrom(ctx, {
    action, resource: 'deal', resourceId: after.id,
    changes: diffChanges(before as Record<string, unknown> | undefined, after as Record<string, unknown>),
    ...(options.keepBefore && before ? { before: before as Record<string, unknown> } : {}),
    ...(options.detail ? { detail: options.detail } : {}),
  }, deps.clock, deps.ids));
}

/** Makes a deal write also depend on the pipeline version it validated against. */
export function pipelineCheckOperation(tenantId: string, pipeline: Pipeline): TransactOperation {
  return { type: 'conditionCheck', key: pipelineKeys.pipeline(tenantId, pipeline.id), condition: { kind: 'equals', attribute: 'version', value: pipeline.version } };
}

/** A counter or the pipeline moved under the write: run the whole use case again from fresh reads. */
class RetryableConflict extends Error {}

/**
 * Writes a deal change: the first operation is the deal put, made conditional on the version read
 * (or on absence for a create); a concurrent deal write answers 412. A conflict on any other item
 * (a stage counter another deal write just moved, or a pipeline edit) is retried by withRetry.
 */
export async function writeDeal(store: TableStore, tenantId: string, read: Deal | undefined, operations: [TransactOperation & { type: 'put' }, ...TransactOperation[]]): Promise<void> {
  operations[0].condition = read ? { kind: 'equals', attribute: 'version', value: read.version } : { kind: 'notExists' };
  assertTransactionSize(operations);
  try {
    await store.transact(operations);
  } catch (error) {
    if (!(error instanceof TransactionConflictError)) throw error;
    if (error.failedIndexes.includes(0) && read) {
      const now = await loadDeal(store, tenantId, read.id);
      if (!now) throw notFound(`Deal ${read.id}`);
      if (now.version !== read.version) {
        throw new AppError('precondition_failed', 'The deal was changed concurrently; re-read it and retry', { currentEtag: etagOf(now.version) });
      }
    }
    throw new RetryableConflict();
  }
}

const MAX_ATTEMPTS = 10;

/**
 * Runs a deal write, retrying it (fresh reads, short jittered pause) when it lost a race on a stage
 * counter or the pipeline. Concurrent writes on one counter are rare (one per stage and org unit);
 * a burst that keeps losing answers 409 `conflict` so the client retries later.
 */
export async function withRetry<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof RetryableConflict)) throw error;
      if (i >= MAX_ATTEMPTS) throw new AppError('conflict', 'Too many concurrent changes in this pipeline stage; retry');
      await new Promise((ok) => setTimeout(ok, Math.random() * 10 * i));
    }
  }
}
