import { notFound } from '../errors';
import type { Item, TableStore } from '../ports/table-store.port';
import { pipelineKeys } from './pipeline.keys';
import type { Pipeline, Stage } from './pipeline.schema';
import { pickFields } from '../shared/pick-fields';

const RECORD_FIELDS = [
  'id', 'name', 'description', 'stages', 'source', 'templatePipeline', 'archivedAt', 'archivedBy', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy',
] as const satisfies readonly (keyof Pipeline)[];

export const PIPELINE_ENTITY = 'pipeline';

/** Stored item of a pipeline definition: keys, list index (live or archived), the record. */
export function pipelineItem(tenantId: string, p: Pipeline): Item {
  return {
    ...pipelineKeys.pipeline(tenantId, p.id),
    gsi1pk: pipelineKeys.list(tenantId, p.archivedAt !== undefined),
    gsi1sk: pipelineKeys.listSortKey(p.name, p.id),
    entity: PIPELINE_ENTITY,
    tenantId,
    ...p,
  };
}

export function toPipeline(item: Item): Pipeline {
  return pickFields<Pipeline>(item, RECORD_FIELDS);
}

export async function loadPipeline(store: TableStore, tenantId: string, id: string, options: { consistent?: boolean } = {}): Promise<Pipeline | undefined> {
  const item = await store.get(pipelineKeys.pipeline(tenantId, id), { consistent: options.consistent ?? true });
  return item ? toPipeline(item) : undefined;
}

/** A pipeline of the caller's tenant, or 404 (pipelines are tenant configuration: no data scope). */
export async function requirePipeline(store: TableStore, tenantId: string, id: string): Promise<Pipeline> {
  const p = await loadPipeline(store, tenantId, id);
  if (!p) throw notFound(`Pipeline ${id}`);
  return p;
}

/** The stage a new deal starts in: the first open stage. */
export function firstStage(p: Pipeline): Stage {
  return p.stages.find((s) => !s.outcome)!;
}

export function findStage(p: Pipeline, key: string): Stage | undefined {
  return p.stages.find((s) => s.key === key);
}
