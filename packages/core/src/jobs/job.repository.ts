import { AppError, notFound } from '../errors';
import { ConditionFailedError, TransactionConflictError, type TableStore, type TransactOperation } from '../ports/table-store.port';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import type { RequestContext } from '../principal';
import { auditEntryFrom, auditPutOperation, type AuditFields } from '../audit/audit-entry';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { actorOf } from '../customers/customer.repository';
import { jobKeys, toJob, toJobItem } from './job.keys';
import type { Job, JobStatus, JobView, ListJobsQuery } from './job.schema';

export interface JobStoreDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
}

/** Thrown when a job changed since it was read (another chunk, a cancel): the caller's view is stale. */
export class JobVersionConflictError extends Error {
  override readonly name = 'JobVersionConflictError';
}

/**
 * Creates a job for the caller, with an optional audit record in the same transaction. The
 * principal is stored as verified now; each chunk re-resolves its access policy from it.
 */
export async function createJob<P, C>(
  deps: JobStoreDeps,
  ctx: RequestContext,
  input: { kind: string; params: P; checkpoint: C; status: JobStatus; total?: number; audit?: AuditFields },
): Promise<Job<P, C>> {
  const now = deps.clock.now().toISOString();
  const job: Job<P, C> = {
    id: deps.ids.next(),
    tenantId: ctx.principal.tenantId,
    kind: input.kind,
    status: input.status,
    progress: { processed: 0, succeeded: 0, failed: 0, warned: 0, ...(input.total !== undefined ? { total: input.total } : {}) },
    params: input.params,
    checkpoint: input.checkpoint,
    createdAt: now,
    updatedAt: now,
    createdBy: actorOf(ctx.principal),
    principal: ctx.principal,
    chunks: 0,
    version: 1,
  };
  const operations: TransactOperation[] = [{ type: 'put', item: toJobItem(job as Job), condition: { kind: 'notExists' } }];
  if (input.audit) operations.push(auditPutOperation(auditEntryFrom(ctx, { ...input.audit, resourceId: job.id }, deps.clock, deps.ids)));
  await deps.store.transact(operations);
  return job;
}

/** Reads a job (strongly consistent), or undefined. */
export async function loadJob(store: TableStore, tenantId: string, id: string): Promise<Job | undefined> {
  const item = await store.get(jobKeys.item(tenantId, id), { consistent: true });
  return item ? toJob(item) : undefined;
}

/**
 * The caller's own job of `kind`. Jobs carry their creator's view of the data (an export holds the
 * fields the creator may see, an error report the creator's rows), so nobody else sees them: 404.
 */
export async function requireOwnJob<P = Record<string, unknown>, C = Record<string, unknown>, R = Record<string, unknown>>(
  store: TableStore, ctx: RequestContext, kind: string, id: string,
): Promise<Job<P, C, R>> {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) throw notFound(`Job ${id}`);
  const job = await loadJob(store, ctx.principal.tenantId, id);
  if (!job || job.kind !== kind || job.createdBy !== actorOf(ctx.principal)) throw notFound(`Job ${id}`);
  return job as unknown as Job<P, C, R>;
}

/**
 * Writes the next state of a job if nobody changed it since `current` was read (version check),
 * with extra operations (an audit record) in the same transaction. Throws JobVersionConflictError.
 */
export async function saveJob(
  deps: Pick<JobStoreDeps, 'store' | 'clock'>,
  current: Job,
  next: Partial<Pick<Job, 'status' | 'progress' | 'checkpoint' | 'result' | 'error' | 'chunks' | 'params'>>,
  extra: TransactOperation[] = [],
): Promise<Job> {
  const updated: Job = { ...current, ...next, updatedAt: deps.clock.now().toISOString(), version: current.version + 1 };
  const condition = { kind: 'equals' as const, attribute: 'version', value: current.version };
  try {
    if (extra.length === 0) await deps.store.put(toJobItem(updated), { condition });
    else await deps.store.transact([{ type: 'put', item: toJobItem(updated), condition }, ...extra]);
  } catch (error) {
    if (error instanceof ConditionFailedError || (error instanceof TransactionConflictError && error.failedIndexes.includes(0))) {
      throw new JobVersionConflictError(`Job ${current.id} changed since version ${current.version}`);
    }
    throw error;
  }
  return updated;
}

/** The caller's jobs of `kind`, newest first, one cursor page at a time (gsi2, no scan). */
export async function listOwnJobs(store: TableStore, ctx: RequestContext, kind: string, q: ListJobsQuery): Promise<{ items: Job[]; next: string | null }> {
  const { tenantId } = ctx.principal;
  const fingerprint = queryFingerprint({ jobs: kind });
  const startAfter = q.after ? decodeCursor(q.after, tenantId, fingerprint, (v) => v.startsWith(`T#${tenantId}#`)) : undefined;
  const page = await store.query({
    index: 'gsi2', partition: jobKeys.byCreator(tenantId, actorOf(ctx.principal), kind), limit: q.limit, forward: false,
    ...(startAfter ? { startAfter } : {}),
  });
  return { items: page.items.map(toJob), next: page.lastKey ? encodeCursor(tenantId, fingerprint, page.lastKey) : null };
}

/** What the API shows of a job. */
export function jobView(job: Job): JobView {
  return {
    id: job.id, kind: job.kind, status: job.status, progress: job.progress,
    ...(job.result ? { result: job.result } : {}),
    ...(job.error ? { error: job.error } : {}),
    createdAt: job.createdAt, updatedAt: job.updatedAt, createdBy: job.createdBy, version: job.version,
  };
}

/** 409 unless the job is in one of `statuses`. */
export function assertJobStatus(job: Job, statuses: readonly JobStatus[], action: string): void {
  if (!statuses.includes(job.status)) throw new AppError('conflict', `Cannot ${action} a job that is ${job.status}`, { status: job.status });
}
