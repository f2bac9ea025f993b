import type { Item } from '../ports/table-store.port';
import type { Job } from './job.schema';

/**
 * Keys of job items (docs/data-model.md, "Jobs"):
 * - item `T#<t>#JOB#<id>` / `JOB`
 * - gsi1 `T#<t>#JOBS#<kind>` / `<createdAt>#<id>`: every job of a kind in the tenant (operators, admins)
 * - gsi2 `T#<t>#JOBOWNER#<actor>#<kind>` / `<createdAt>#<id>`: the caller's own jobs of a kind (API lists)
 */
export const JOB_ENTITY = 'job';
/** Job items stay 30 days after their creation (their blobs expire after 7, bucket lifecycle). */
export const JOB_TTL_SECONDS = 30 * 24 * 60 * 60;

export const jobKeys = {
  item: (tenantId: string, id: string) => ({ pk: `T#${tenantId}#JOB#${id}`, sk: 'JOB' }),
  byKind: (tenantId: string, kind: string) => `T#${tenantId}#JOBS#${kind}`,
  byCreator: (tenantId: string, createdBy: string, kind: string) => `T#${tenantId}#JOBOWNER#${createdBy}#${kind}`,
  sortKey: (createdAt: string, id: string) => `${createdAt}#${id}`,
};

export function toJobItem(job: Job): Item {
  const sort = jobKeys.sortKey(job.createdAt, job.id);
  return {
    ...jobKeys.item(job.tenantId, job.id),
    gsi1pk: jobKeys.byKind(job.tenantId, job.kind),
    gsi1sk: sort,
    gsi2pk: jobKeys.byCreator(job.tenantId, job.createdBy, job.kind),
    gsi2sk: sort,
    entity: JOB_ENTITY,
    expiresAt: Math.floor(Date.parse(job.createdAt) / 1000) + JOB_TTL_SECONDS,
    ...job,
  };
}

const JOB_FIELDS = [
  'id', 'tenantId', 'kind', 'status', 'progress', 'params', 'checkpoint', 'result', 'error', 'createdAt', 'updatedAt', 'createdBy', 'principal', 'chunks', 'version',
] as const satisfies readonly (keyof Job)[];

export function toJob(item: Record<string, unknown>): Job {
  const job: Record<string, unknown> = {};
  for (const field of JOB_FIELDS) if (item[field] !== undefined) job[field] = item[field];
  return job as unknown as Job;
}
