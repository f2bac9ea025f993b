import { AppError } from '../errors';
import { assertCan, loadAccessPolicy, type SecuredContext } from '../access/access-policy';
import { auditEntryFrom, auditPutOperation, type AuditFields } from '../audit/audit-entry';
import type { BlobTransferStore } from '../ports/blob-store.port';
import type { CustomerDeps } from '../customers/customer.repository';
import type { RequestContext } from '../principal';
import { JOB_ENTITY } from './job.keys';
import { JobVersionConflictError, loadJob, saveJob } from './job.repository';
import { RUNNABLE_JOB_STATUSES, type Job, type JobError, type JobProgress } from './job.schema';

/** Ports a job chunk may use: the customer use cases' plus the transfer bucket. */
export interface JobDeps extends CustomerDeps {
  blobs: BlobTransferStore;
}

/** How much one chunk may do: stop starting new work at `deadline` (epoch ms) or after `maxItems`. */
export interface ChunkBudget {
  deadline: number;
  maxItems: number;
}

/** What a chunk reports; the runner stores it with a version check. */
export interface ChunkOutcome<C = Record<string, unknown>, R = Record<string, unknown>> {
  checkpoint: C;
  progress: JobProgress;
  /** Set when the job finished successfully with this chunk. */
  result?: R;
  /** Set when the job cannot go on (bad file, lost permission); the chunk's progress is kept. */
  failure?: JobError;
}

/**
 * One kind of background work. `runChunk` must be safe to re-run from the same checkpoint (the
 * change feed delivers at least once and a chunk may die half-way): effects are idempotent (keys
 * derived from the job and item), and counts only move with the checkpoint.
 */
export interface JobKind<P = any, C = any, R = any> {
  kind: string;
  /** Re-checked against the creator's current access before every chunk. */
  permission: string;
  runChunk(deps: JobDeps, ctx: SecuredContext, job: Job<P, C, R>, budget: ChunkBudget): Promise<ChunkOutcome<C, R>>;
  /** The audit record of the job's end (success or failure), written with its final state. */
  finishAudit?(job: Job<P, C, R>): AuditFields;
}

export type JobRegistry = ReadonlyMap<string, JobKind>;

export function createJobRegistry(kinds: readonly JobKind[]): JobRegistry {
  return new Map(kinds.map((k) => [k.kind, k]));
}

/** A job item from the change feed (NewImage), reduced to what decides whether a chunk runs. */
export interface JobFeedRecord {
  entity?: unknown;
  tenantId?: unknown;
  id?: unknown;
  status?: unknown;
  version?: unknown;
}

export function isRunnableJobRecord(image: JobFeedRecord): image is { entity: 'job'; tenantId: string; id: string; status: string; version: number } {
  return image.entity === JOB_ENTITY && typeof image.tenantId === 'string' && typeof image.id === 'string' &&
    typeof image.version === 'number' && RUNNABLE_JOB_STATUSES.includes(image.status as Job['status']);
}

/** The creator's request context for a chunk, its access policy resolved now (revocations apply). */
export async function jobContext(deps: Pick<JobDeps, 'store'>, job: Job): Promise<SecuredContext> {
  const ctx: RequestContext = { principal: job.principal, requestId: `job-${job.id}-${job.chunks + 1}` };
  return { ...ctx, access: await loadAccessPolicy(deps.store, job.principal) };
}

export type ChunkResult = 'ran' | 'finished' | 'failed' | 'skipped';

/**
 * Runs one chunk of the job that the change feed showed at `seenVersion`: the job is re-read
 * consistently, and anything but the same version in a runnable status is skipped (a duplicate or
 * stale delivery; the newer change brings its own delivery). The outcome is written conditionally
 * on that version, and that write is the change that triggers the next chunk.
 * Application errors (validation, permission) fail the job; other errors propagate so the change
 * feed retries the delivery (the chunk is idempotent).
 */
export async function runJobChunk(
  deps: JobDeps,
  registry: JobRegistry,
  target: { tenantId: string; id: string; version: number },
  budget: ChunkBudget,
): Promise<ChunkResult> {
  const job = await loadJob(deps.store, target.tenantId, target.id);
  if (!job || job.version !== target.version || !RUNNABLE_JOB_STATUSES.includes(job.status)) return 'skipped';
  const kind = registry.get(job.kind);
  let outcome: ChunkOutcome;
  if (!kind) {
    outcome = { checkpoint: job.checkpoint, progress: job.progress, failure: { code: 'unknown_job_kind', message: `No runner for jobs of kind ${job.kind}` } };
  } else {
    try {
      const ctx = await jobContext(deps, job);
      assertCan(ctx.access, kind.permission);
      outcome = await kind.runChunk(deps, ctx, job, budget);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      outcome = { checkpoint: job.checkpoint, progress: job.progress, failure: { code: error.code, message: error.message } };
    }
  }
  const status = outcome.failure ? 'failed' : outcome.result ? 'succeeded' : 'running';
  const next: Job = {
    ...job, status, checkpoint: outcome.checkpoint, progress: outcome.progress, chunks: job.chunks + 1,
    ...(outcome.result ? { result: outcome.result } : {}),
    ...(outcome.failure ? { error: outcome.failure } : {}),
  };
  const extra = status !== 'running' && kind?.finishAudit
    ? [auditPutOperation(auditEntryFrom({ principal: job.principal, requestId: `job-${job.id}` }, { ...kind.finishAudit(next), resourceId: job.id, ...(status === 'failed' ? { outcome: 'failed' as const } : {}) }, deps.clock, deps.ids))]
    : [];
  try {
    await saveJob(deps, job, {
      status, checkpoint: next.checkpoint, progress: next.progress, chunks: next.chunks,
      ...(next.result ? { result: next.result } : {}), ...(next.error ? { error: next.error } : {}),
    }, extra);
  } catch (error) {
    // Cancelled (or advanced by a duplicate delivery) meanwhile: that change wins.
    if (error instanceof JobVersionConflictError) return 'skipped';
    throw error;
  }
  return status === 'running' ? 'ran' : status === 'succeeded' ? 'finished' : 'failed';
}
