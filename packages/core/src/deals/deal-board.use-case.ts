import { AppError } from '../errors';
import type { SecuredContext } from '../access/access-policy';
import { canSeeRecord } from '../access/data-scope';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import type { Item } from '../ports/table-store.port';
import { requirePipeline } from '../pipelines/pipeline.repository';
import type { BoardQuery, Stage } from '../pipelines/pipeline.schema';
import { counterScopeOf, readCounters, stageTotals, type StageCounter } from '../pipelines/stage-counters';
import { dealKeys } from './deal.keys';
import { toDeal, type DealDeps } from './deal.repository';
import type { Board, Deal } from './deal.schema';

const MAX_ROUNDS = 5;

/**
 * The kanban view of a pipeline: per stage the number of live deals and their sums per currency,
 * read from the stage counters (one Query, O(stages × org units) — independent of the number of
 * deals), and the first `limit` deals by expected close date from gsi1 `DEALSTAGE#<pipeline>#<stage>`
 * (one Query per stage, in parallel), with a per-stage `next` cursor (`?stage=&after=`).
 *
 * Counts cover what the caller's data scope covers as a whole: the tenant (tenant scope) or the
 * caller's org subtree (subtree scope); own-scope callers get items but no counts (null scope),
 * since a per-owner aggregate is not kept. Items are checked record by record (shares included).
 */
export async function getPipelineBoard(deps: Pick<DealDeps, 'store'>, ctx: SecuredContext, pipelineId: string, query: BoardQuery): Promise<Board> {
  const { tenantId } = ctx.principal;
  if (query.after && !query.stage) {
    throw new AppError('validation_failed', 'A board cursor continues one stage: send stage with after', { errors: [{ path: 'query.stage', message: 'required with after' }] });
  }
  const pipeline = await requirePipeline(deps.store, tenantId, pipelineId);
  const stages = query.stage ? pipeline.stages.filter((s) => s.key === query.stage) : pipeline.stages;
  if (stages.length === 0) throw new AppError('unknown_stage', `Pipeline ${pipelineId} has no stage ${query.stage}`, { stages: pipeline.stages.map((s) => s.key) });

  const countScope = counterScopeOf(ctx);
  const [counters, columns] = await Promise.all([
    countScope === null ? Promise.resolve([] as StageCounter[]) : readCounters(deps.store, tenantId, pipelineId, { consistent: true, ...(query.stage ? { stage: query.stage } : {}) }),
    Promise.all(stages.map((s) => stageItems(deps, ctx, pipelineId, s, query))),
  ]);
  return {
    pipelineId,
    countScope,
    stages: stages.map((s, i) => {
      const { count, amount } = countScope === null ? { count: 0, amount: {} } : stageTotals(counters, s.key, countScope);
      return {
        key: s.key, name: s.name, probability: s.probability, ...(s.outcome ? { outcome: s.outcome } : {}),
        count, amount, items: columns[i]!.items, ...(columns[i]!.next ? { next: columns[i]!.next } : {}),
      };
    }),
  };
}

async function stageItems(deps: Pick<DealDeps, 'store'>, ctx: SecuredContext, pipelineId: string, stage: Stage, query: BoardQuery): Promise<{ items: Deal[]; next?: string }> {
  if (query.limit === 0) return { items: [] };
  const { tenantId } = ctx.principal;
  const partition = dealKeys.byStage(tenantId, pipelineId, stage.key);
  const fingerprint = queryFingerprint({ board: pipelineId, stage: stage.key });
  let startAfter = query.after ? decodeCursor(query.after, tenantId, fingerprint, (v) => v === partition || v.startsWith(`T#${tenantId}#DEAL#`)) : undefined;
  const items: Deal[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await deps.store.query({ index: 'gsi1', partition, limit: query.limit, ...(startAfter ? { startAfter } : {}) });
    for (let i = 0; i < page.items.length; i++) {
      const item: Item = page.items[i]!;
      const deal = toDeal(item);
      if (deal.deletedAt || !canSeeRecord(ctx.access, 'deal', deal)) continue;
      items.push(deal);
      if (items.length === query.limit) {
        const more = i < page.items.length - 1 || page.lastKey !== undefined;
        const key = { pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk as string, gsi1sk: item.gsi1sk as string };
        return { items, ...(more ? { next: encodeCursor(tenantId, fingerprint, key) } : {}) };
      }
    }
    if (!page.lastKey) return { items };
    startAfter = page.lastKey;
  }
  return { items, ...(startAfter ? { next: encodeCursor(tenantId, fingerprint, startAfter) } : {}) };
}
