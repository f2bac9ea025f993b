import { AppError } from '../errors';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type TableStore, type TransactOperation } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import { assertIfMatchVersion, etagOf } from '../shared/etag';
import { pipelineKeys } from './pipeline.keys';
import { loadPipeline, pipelineItem, requirePipeline, toPipeline } from './pipeline.repository';
import type { ListPipelinesQuery, Pipeline, PipelineInput, Stage, UpdatePipelineInput } from './pipeline.schema';
import { readCounters } from './stage-counters';

/** What the pipeline use cases depend on. */
export interface PipelineDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
}

const actorOf = (ctx: RequestContext) => (ctx.principal.kind === 'client' ? `client:${ctx.principal.subject}` : ctx.principal.subject);

function auditOperation(deps: PipelineDeps, ctx: RequestContext, before: Pipeline | undefined, after: Pipeline, detail?: Record<string, unknown>): TransactOperation {
  return auditPutOperation(auditEntryFrom(ctx, {
    action: 'deals:manage', resource: 'pipeline', resourceId: after.id,
    changes: diffChanges(before as Record<string, unknown> | undefined, after as Record<string, unknown>),
    ...(detail ? { detail } : {}),
  }, deps.clock, deps.ids));
}

/** Creates a pipeline (`source`: `api`, or `template:<name>` when a template installs it). Audited. */
export async function createPipeline(deps: PipelineDeps, ctx: RequestContext, input: PipelineInput, source = 'api', templatePipeline?: string): Promise<Pipeline> {
  const now = deps.clock.now().toISOString();
  const actor = actorOf(ctx);
  const pipeline: Pipeline = {
    id: deps.ids.next(), name: input.name, ...(input.description !== undefined ? { description: input.description } : {}), stages: input.stages, source,
    ...(templatePipeline ? { templatePipeline } : {}),
    version: 1, createdAt: now, updatedAt: now, createdBy: actor, updatedBy: actor,
  };
  await deps.store.transact([
    { type: 'put', item: pipelineItem(ctx.principal.tenantId, pipeline), condition: { kind: 'notExists' } },
    auditOperation(deps, ctx, undefined, pipeline),
  ]);
  return pipeline;
}

/** The tenant's pipelines by name (live, or the archived ones); a tenant has a handful, one page. */
export async function listPipelines(deps: Pick<PipelineDeps, 'store'>, ctx: RequestContext, query: ListPipelinesQuery): Promise<{ items: Pipeline[] }> {
  const page = await deps.store.query({ index: 'gsi1', partition: pipelineKeys.list(ctx.principal.tenantId, query.archived), limit: 200 });
  return { items: page.items.map(toPipeline) };
}

export async function getPipeline(deps: Pick<PipelineDeps, 'store'>, ctx: RequestContext, id: string): Promise<Pipeline> {
  return requirePipeline(deps.store, ctx.principal.tenantId, id);
}

/** Stages whose deals would be stranded by the change: removed ones, or ones whose outcome changed. */
function strandedStages(before: Stage[], after: Stage[]): string[] {
  return before.filter((s) => {
    const next = after.find((a) => a.key === s.key);
    return !next || next.outcome !== s.outcome;
  }).map((s) => s.key);
}

async function stagesInUse(store: TableStore, tenantId: string, pipelineId: string, stages: string[]): Promise<string[]> {
  const used: string[] = [];
  for (const stage of stages) {
    const counters = await readCounters(store, tenantId, pipelineId, { stage, consistent: true });
    if (counters.some((c) => c.count > 0)) used.push(stage);
  }
  return used;
}

function stageInUse(stages: string[]): AppError {
  return new AppError('stage_in_use', `Stages ${stages.join(', ')} still hold deals; move them first`, { stages });
}

/**
 * Changes a pipeline under optimistic locking (If-Match required). `replace` (PUT) takes the whole
 * definition; `patch` (PATCH) any subset. Removing a stage (or changing its outcome) is refused
 * with 409 `stage_in_use` while deals are in it. Because a deal may enter that stage between the
 * check and the write, the new definition is written first — from then on every deal write (which
 * checks the pipeline's version in its transaction) sees it — and the stage counters are checked
 * again afterwards; if a deal slipped in, the old stages are put back and the answer is 409.
 */
export async function updatePipeline(
  deps: PipelineDeps,
  ctx: RequestContext,
  id: string,
  input: UpdatePipelineInput | PipelineInput,
  ifMatch: string | undefined,
): Promise<Pipeline> {
  if (!ifMatch) throw new AppError('precondition_required', 'Send the ETag you read as If-Match');
  const { tenantId } = ctx.principal;
  const current = await requirePipeline(deps.store, tenantId, id);
  assertIfMatchVersion(ifMatch, current.version, 'The pipeline');
  const next: Pipeline = { ...current, version: current.version + 1, updatedAt: deps.clock.now().toISOString(), updatedBy: actorOf(ctx) };
  if (input.name !== undefined) next.name = input.name;
  if (input.description === null) delete next.description;
  else if (input.description !== undefined) next.description = input.description;
  if (input.stages !== undefined) next.stages = input.stages;

  const stranded = strandedStages(current.stages, next.stages);
  if (stranded.length > 0) {
    const used = await stagesInUse(deps.store, tenantId, id, stranded);
    if (used.length > 0) throw stageInUse(used);
  }
  await writePipeline(deps, ctx, current, next);
  if (stranded.length > 0) {
    const used = await stagesInUse(deps.store, tenantId, id, stranded);
    if (used.length > 0) {
      const restored: Pipeline = { ...next, stages: current.stages, version: next.version + 1, updatedAt: deps.clock.now().toISOString() };
      await writePipeline(deps, ctx, next, restored, { rollback: true, stagesInUse: used }).catch(() => undefined);
      throw stageInUse(used);
    }
  }
  return next;
}

async function writePipeline(deps: PipelineDeps, ctx: RequestContext, read: Pipeline, next: Pipeline, detail?: Record<string, unknown>): Promise<void> {
  const tenantId = ctx.principal.tenantId;
  try {
    await deps.store.transact([
      { type: 'put', item: pipelineItem(tenantId, next), condition: { kind: 'equals', attribute: 'version', value: read.version } },
      auditOperation(deps, ctx, read, next, detail),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflictError && error.failedIndexes.includes(0)) {
      const now = await loadPipeline(deps.store, tenantId, read.id);
      throw new AppError('precondition_failed', 'The pipeline was changed concurrently; re-read it and retry', now ? { currentEtag: etagOf(now.version) } : {});
    }
    throw error;
  }
}

/**
 * DELETE archives: the pipeline leaves the list and takes no new deals (409 `pipeline_archived`),
 * while its deals keep working (board, stage changes) — a hard delete would strand them. Audited;
 * If-Match honoured when sent; archiving twice answers 409 `already_deleted`.
 */
export async function archivePipeline(deps: PipelineDeps, ctx: RequestContext, id: string, ifMatch?: string): Promise<Pipeline> {
  const current = await requirePipeline(deps.store, ctx.principal.tenantId, id);
  if (ifMatch) assertIfMatchVersion(ifMatch, current.version, 'The pipeline');
  if (current.archivedAt) throw new AppError('already_deleted', `Pipeline ${id} is already archived`);
  const now = deps.clock.now().toISOString();
  const next: Pipeline = { ...current, archivedAt: now, archivedBy: actorOf(ctx), version: current.version + 1, updatedAt: now, updatedBy: actorOf(ctx) };
  await writePipeline(deps, ctx, current, next);
  return next;
}
