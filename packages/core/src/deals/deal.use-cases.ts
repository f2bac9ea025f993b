import { AppError } from '../errors';
import { assertWritable, type SecuredContext } from '../access/access-policy';
import { assertOrgPath } from '../customers/customer.repository';
import { assertIfMatchVersion } from '../shared/etag';
import { timelineEntryPutOperation } from '../interactions/timeline-entries';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import type { Item, QueryInput } from '../ports/table-store.port';
import { canSeeRecord } from '../access/data-scope';
import { findStage, firstStage, requirePipeline } from '../pipelines/pipeline.repository';
import type { Pipeline, Stage } from '../pipelines/pipeline.schema';
import { counterOperations } from '../pipelines/stage-counters';
import { dealKeys, isTenantKey, UNDATED } from './deal.keys';
import {
  actorOf, contributionOf, dealAuditOperation, dealItem, historyItem, pipelineCheckOperation, requireVisibleDeal, toDeal, toHistoryEntry, withRetry, writeDeal,
  type DealDeps,
} from './deal.repository';
import type { ChangeDealStageInput, CreateDealInput, Deal, HistoryQuery, ListDealsQuery, StageHistoryEntry, UpdateDealInput } from './deal.schema';
import {
  applyDealFields, assertContactReferences, assertCustomerReference, assertStageRequirements, loadDealFieldDefinitions, requireStage,
} from './deal-validation';

/**
 * Creates a deal in an open stage of a live pipeline (default: its first stage). The deal, its
 * first stage-history entry, the stage counter and the audit record are one transaction, which
 * also checks the pipeline version it was validated against.
 */
export async function createDeal(deps: DealDeps, ctx: SecuredContext, input: CreateDealInput): Promise<Deal> {
  const { tenantId } = ctx.principal;
  assertWritable(ctx.access, 'deals', input as Record<string, unknown>);
  const ownerId = input.ownerId ?? (ctx.principal.kind === 'user' ? ctx.principal.subject : undefined);
  if (!ownerId) throw new AppError('validation_failed', 'An integration must name the deal owner', { errors: [{ path: 'body.ownerId', message: 'required for client tokens' }] });
  if (input.orgPath !== undefined) await assertOrgPath(deps.store, ctx, input.orgPath);
  await assertCustomerReference(deps.store, ctx, input.customerId);
  if (input.contactIds) await assertContactReferences(deps.store, ctx, input.contactIds);
  const definitions = await loadDealFieldDefinitions(deps.store, tenantId);
  const customFields = input.customFields || definitions.length ? applyDealFields(definitions, input.customFields ?? {}, 'create') : undefined;

  const id = deps.ids.next();
  return withRetry(async () => {
    const pipeline = await requirePipeline(deps.store, tenantId, input.pipelineId).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'not_found') {
        throw new AppError('validation_failed', `Pipeline ${input.pipelineId} does not exist`, { errors: [{ path: 'body.pipelineId', message: 'no such pipeline' }] });
      }
      throw error;
    });
    if (pipeline.archivedAt) throw new AppError('pipeline_archived', `Pipeline ${pipeline.id} is archived`);
    const stage = input.stage ? requireStage(pipeline, input.stage) : firstStage(pipeline);
    if (stage.outcome) throw new AppError('validation_failed', 'A new deal starts in an open stage', { errors: [{ path: 'body.stage', message: `${stage.key} is a ${stage.outcome} stage` }] });
    const now = deps.clock.now().toISOString();
    const actor = actorOf(ctx);
    const deal: Deal = {
      id, name: input.name, ...(input.amount !== undefined ? { amount: input.amount } : {}), currency: input.currency,
      ...(input.expectedCloseDate ? { expectedCloseDate: input.expectedCloseDate } : {}),
      ownerId, orgPath: input.orgPath ?? ctx.principal.orgPath ?? '/', customerId: input.customerId, contactIds: input.contactIds ?? [],
      pipelineId: pipeline.id, stage: stage.key, stageEnteredAt: now,
      ...(customFields && Object.keys(customFields).length ? { customFields } : {}),
      version: 1, createdAt: now, updatedAt: now, createdBy: actor, updatedBy: actor,
    };
    assertStageRequirements(stage, deal);
    const history: StageHistoryEntry = { id: deps.ids.next(), dealId: id, pipelineId: pipeline.id, to: stage.key, at: now, by: actor, durationMs: 0 };
    await writeDeal(deps.store, tenantId, undefined, [
      { type: 'put', item: dealItem(tenantId, deal, stage) },
      pipelineCheckOperation(tenantId, pipeline),
      ...(await counterOperations(deps.store, tenantId, undefined, contributionOf(deal))),
      { type: 'put', item: historyItem(tenantId, history) },
      dealAuditOperation(deps, ctx, 'deals:create', undefined, deal),
    ]);
    return deal;
  });
}

export async function getDeal(deps: Pick<DealDeps, 'store'>, ctx: SecuredContext, id: string): Promise<Deal> {
  return requireVisibleDeal(deps.store, ctx, id);
}

/** The stage definition of a deal's current stage (undefined if the pipeline lost it meanwhile). */
async function currentStage(deps: Pick<DealDeps, 'store'>, tenantId: string, deal: Deal): Promise<{ pipeline: Pipeline; stage: Stage | undefined }> {
  const pipeline = await requirePipeline(deps.store, tenantId, deal.pipelineId);
  return { pipeline, stage: findStage(pipeline, deal.stage) };
}

/**
 * JSON merge patch under optimistic locking (If-Match required). Amount, currency and org unit
 * changes move the stage counters in the same transaction; clearing a field the current stage
 * requires is refused (422 `stage_requirements_missing`).
 */
export async function updateDeal(deps: DealDeps, ctx: SecuredContext, id: string, patch: UpdateDealInput, ifMatch: string | undefined): Promise<Deal> {
  if (!ifMatch) throw new AppError('precondition_required', 'Send the ETag you read as If-Match');
  const { tenantId } = ctx.principal;
  assertWritable(ctx.access, 'deals', patch as Record<string, unknown>);
  const first = await requireVisibleDeal(deps.store, ctx, id);
  assertIfMatchVersion(ifMatch, first.version, 'The deal');
  if (patch.orgPath !== undefined && patch.orgPath !== first.orgPath) await assertOrgPath(deps.store, ctx, patch.orgPath);
  if (patch.customerId !== undefined && patch.customerId !== first.customerId) await assertCustomerReference(deps.store, ctx, patch.customerId);
  if (patch.contactIds !== undefined) await assertContactReferences(deps.store, ctx, patch.contactIds);
  const definitions = patch.customFields ? await loadDealFieldDefinitions(deps.store, tenantId) : [];
  if (patch.customFields) applyDealFields(definitions, patch.customFields, 'update');

  return withRetry(async () => {
    const current = await requireVisibleDeal(deps.store, ctx, id);
    assertIfMatchVersion(ifMatch, current.version, 'The deal');
    const next = applyDealPatch(current, patch);
    next.version = current.version + 1;
    next.updatedAt = deps.clock.now().toISOString();
    next.updatedBy = actorOf(ctx);
    const { stage } = await currentStage(deps, tenantId, current);
    if (stage) assertStageRequirements(stage, next);
    await writeDeal(deps.store, tenantId, current, [
      { type: 'put', item: dealItem(tenantId, next, stage) },
      ...(await counterOperations(deps.store, tenantId, contributionOf(current), contributionOf(next))),
      dealAuditOperation(deps, ctx, 'deals:update', current, next),
    ]);
    return next;
  });
}

/** RFC 7396 merge of a patch into a deal (customFields per key; null clears). */
export function applyDealPatch(current: Deal, patch: UpdateDealInput): Deal {
  const next: Deal = { ...current };
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.amount === null) delete next.amount;
  else if (patch.amount !== undefined) next.amount = patch.amount;
  if (patch.currency !== undefined) next.currency = patch.currency;
  if (patch.expectedCloseDate === null) delete next.expectedCloseDate;
  else if (patch.expectedCloseDate !== undefined) next.expectedCloseDate = patch.expectedCloseDate;
  if (patch.ownerId !== undefined) next.ownerId = patch.ownerId;
  if (patch.orgPath !== undefined) next.orgPath = patch.orgPath;
  if (patch.customerId !== undefined) next.customerId = patch.customerId;
  if (patch.contactIds !== undefined) next.contactIds = patch.contactIds;
  if (patch.customFields !== undefined) {
    const merged: Record<string, unknown> = { ...current.customFields };
    for (const [key, value] of Object.entries(patch.customFields)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    if (Object.keys(merged).length) next.customFields = merged;
    else delete next.customFields;
  }
  return next;
}

/** Soft delete: out of every list, board and counter; history and timeline entries stay. If-Match honoured. */
export async function deleteDeal(deps: DealDeps, ctx: SecuredContext, id: string, ifMatch?: string): Promise<Deal> {
  const { tenantId } = ctx.principal;
  return withRetry(async () => {
    const current = await requireVisibleDeal(deps.store, ctx, id);
    if (ifMatch) assertIfMatchVersion(ifMatch, current.version, 'The deal');
    const now = deps.clock.now().toISOString();
    const actor = actorOf(ctx);
    const deleted: Deal = { ...current, version: current.version + 1, updatedAt: now, updatedBy: actor, deletedAt: now, deletedBy: actor };
    await writeDeal(deps.store, tenantId, current, [
      { type: 'put', item: dealItem(tenantId, deleted, undefined) },
      ...(await counterOperations(deps.store, tenantId, contributionOf(current), undefined)),
      dealAuditOperation(deps, ctx, 'deals:delete', current, deleted, { keepBefore: true }),
    ]);
    return deleted;
  });
}

/**
 * Moves a deal to another stage of its pipeline. Validates the transition (the stage exists and
 * differs; won/lost need a reason; the target's required fields are present), then writes in one
 * transaction: the deal (stage, entered-at, outcome, stale flag cleared, SLA timer reset), a
 * stage-history item (from, to, at, by, time spent in the previous stage), a `deal_stage_changed`
 * entry in the customer's timeline, both stage counters, a pipeline version check and the audit
 * record. The change feed then publishes deal.stage-changed (+ deal.won / deal.lost).
 */
export async function changeDealStage(deps: DealDeps, ctx: SecuredContext, id: string, input: ChangeDealStageInput, ifMatch?: string): Promise<{ deal: Deal; history: StageHistoryEntry }> {
  const { tenantId } = ctx.principal;
  return withRetry(async () => {
    const current = await requireVisibleDeal(deps.store, ctx, id);
    if (ifMatch) assertIfMatchVersion(ifMatch, current.version, 'The deal');
    const pipeline = await requirePipeline(deps.store, tenantId, current.pipelineId);
    const target = requireStage(pipeline, input.stage);
    if (target.key === current.stage) throw new AppError('stage_unchanged', `Deal ${id} is already in stage ${target.key}`);
    if (target.outcome && !input.reason) {
      throw new AppError('stage_reason_required', `Entering the ${target.outcome} stage needs a reason`, { errors: [{ path: 'body.reason', message: 'required for won/lost stages' }] });
    }
    assertStageRequirements(target, current);
    const now = deps.clock.now().toISOString();
    const actor = actorOf(ctx);
    const durationMs = Math.max(0, Date.parse(now) - Date.parse(current.stageEnteredAt));
    const { outcome: _o, closedAt: _c, closeReason: _r, stale: _s, staleSince: _ss, ...rest } = current;
    const next: Deal = {
      ...rest, stage: target.key, stageEnteredAt: now,
      ...(target.outcome ? { outcome: target.outcome, closedAt: now, closeReason: input.reason! } : {}),
      version: current.version + 1, updatedAt: now, updatedBy: actor,
    };
    const history: StageHistoryEntry = {
      id: deps.ids.next(), dealId: id, pipelineId: pipeline.id, from: current.stage, to: target.key, at: now, by: actor, durationMs,
      ...(input.reason ? { reason: input.reason } : {}),
    };
    const fromStage = findStage(pipeline, current.stage);
    await writeDeal(deps.store, tenantId, current, [
      { type: 'put', item: dealItem(tenantId, next, target) },
      pipelineCheckOperation(tenantId, pipeline),
      ...(await counterOperations(deps.store, tenantId, contributionOf(current), contributionOf(next))),
      { type: 'put', item: historyItem(tenantId, history) },
      timelineEntryPutOperation(tenantId, {
        id: history.id, customerId: current.customerId, type: 'deal_stage_changed', occurredAt: now, createdAt: now, createdBy: actor,
        payload: {
          dealId: id, dealName: current.name, pipelineId: pipeline.id, pipelineName: pipeline.name,
          from: current.stage, fromName: fromStage?.name ?? current.stage, to: target.key, toName: target.name, durationMs,
          ...(target.outcome ? { outcome: target.outcome } : {}), ...(input.reason ? { reason: input.reason } : {}),
        },
      }),
      dealAuditOperation(deps, ctx, 'deals:change-stage', current, next, { detail: { from: current.stage, to: target.key, durationMs } }),
    ]);
    return { deal: next, history };
  });
}

/** A deal's stage history, oldest first (creation, then every change). */
export async function getDealHistory(deps: Pick<DealDeps, 'store'>, ctx: SecuredContext, id: string, query: HistoryQuery): Promise<{ items: StageHistoryEntry[]; next?: string }> {
  const { tenantId } = ctx.principal;
  await requireVisibleDeal(deps.store, ctx, id);
  const fingerprint = queryFingerprint({ deal: id, history: true });
  const startAfter = query.after ? decodeCursor(query.after, tenantId, fingerprint, (v) => v === dealKeys.partition(tenantId, id)) : undefined;
  const page = await deps.store.query({
    partition: dealKeys.partition(tenantId, id), sortKey: { beginsWith: 'HIST#' }, limit: query.limit, consistent: true, ...(startAfter ? { startAfter } : {}),
  });
  return { items: page.items.map(toHistoryEntry), ...(page.lastKey ? { next: encodeCursor(tenantId, fingerprint, page.lastKey) } : {}) };
}

const MAX_ROUNDS = 5;

interface ListPlan {
  query: Omit<QueryInput, 'limit' | 'startAfter'>;
  residual: (d: Deal) => boolean;
}

/**
 * Cursor pages of deals, each filter an index query (never a scan): stage → gsi1
 * `DEALSTAGE#<pipeline>#<stage>`, owner → gsi2, pipeline → gsi3, customer → gsi5, else gsi4 (all
 * deals). Every index sorts by expected close date, so closeFrom/closeTo is a sort-key range on any
 * of them. Other filters and the caller's data domain are checked on the fetched items within at
 * most 5 index pages (a short page then comes with a `next` cursor).
 */
export async function listDeals(deps: Pick<DealDeps, 'store'>, ctx: SecuredContext, q: ListDealsQuery): Promise<{ items: Deal[]; next?: string }> {
  const { tenantId } = ctx.principal;
  const filters = { pipelineId: q.pipelineId, stage: q.stage, ownerId: q.ownerId, customerId: q.customerId, closeFrom: q.closeFrom, closeTo: q.closeTo };
  const fingerprint = queryFingerprint(filters);
  let startAfter = q.after ? decodeCursor(q.after, tenantId, fingerprint, (v) => isTenantKey(tenantId, v)) : undefined;
  const plan = planDealQuery(ctx, q);
  const items: Deal[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await deps.store.query({ ...plan.query, limit: q.limit, ...(startAfter ? { startAfter } : {}) });
    for (let i = 0; i < page.items.length; i++) {
      const item = page.items[i]!;
      const deal = toDeal(item);
      if (!plan.residual(deal)) continue;
      items.push(deal);
      if (items.length === q.limit) {
        const more = i < page.items.length - 1 || page.lastKey !== undefined;
        return { items, ...(more ? { next: encodeCursor(tenantId, fingerprint, keyOf(item, plan.query.index!)) } : {}) };
      }
    }
    if (!page.lastKey) return { items };
    startAfter = page.lastKey;
  }
  return { items, ...(startAfter ? { next: encodeCursor(tenantId, fingerprint, startAfter) } : {}) };
}

/** Sort-key range of a close-date filter (undated deals, `~`, sort after every date). */
export function closeDateRange(from?: string, to?: string): QueryInput['sortKey'] {
  if (from && to) return { between: [from, `${to}#~`] };
  if (from) return { between: [from, UNDATED] };
  if (to) return { lte: `${to}#~` };
  return undefined;
}

function planDealQuery(ctx: SecuredContext, q: ListDealsQuery): ListPlan {
  const { tenantId } = ctx.principal;
  const sortKey = closeDateRange(q.closeFrom, q.closeTo);
  const withRange = <T extends object>(o: T) => (sortKey ? { ...o, sortKey } : o);
  const residual = (d: Deal) =>
    !d.deletedAt && canSeeRecord(ctx.access, 'deal', d) &&
    (q.pipelineId === undefined || d.pipelineId === q.pipelineId) &&
    (q.stage === undefined || d.stage === q.stage) &&
    (q.ownerId === undefined || d.ownerId === q.ownerId) &&
    (q.customerId === undefined || d.customerId === q.customerId);
  if (q.stage && q.pipelineId) return { query: withRange({ index: 'gsi1' as const, partition: dealKeys.byStage(tenantId, q.pipelineId, q.stage) }), residual };
  if (q.ownerId) return { query: withRange({ index: 'gsi2' as const, partition: dealKeys.byOwner(tenantId, q.ownerId) }), residual };
  if (q.customerId) return { query: withRange({ index: 'gsi5' as const, partition: dealKeys.byCustomer(tenantId, q.customerId) }), residual };
  if (q.pipelineId) return { query: withRange({ index: 'gsi3' as const, partition: dealKeys.byPipeline(tenantId, q.pipelineId) }), residual };
  // Own data scope: only the caller's deals can be visible (shares aside), so read its owner index.
  if (ctx.access.dataScope === 'own') return { query: withRange({ index: 'gsi2' as const, partition: dealKeys.byOwner(tenantId, ctx.principal.subject) }), residual };
  return { query: withRange({ index: 'gsi4' as const, partition: dealKeys.all(tenantId, false) }), residual };
}

function keyOf(item: Item, index: 'gsi1' | 'gsi2' | 'gsi3' | 'gsi4' | 'gsi5'): Record<string, string> {
  return { pk: item.pk, sk: item.sk, [`${index}pk`]: item[`${index}pk`] as string, [`${index}sk`]: item[`${index}sk`] as string };
}

