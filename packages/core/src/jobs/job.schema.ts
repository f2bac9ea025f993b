import * as z from 'zod';

/**
 * Background jobs (imports, exports, later duplicate scans): one item per job whose changes drive
 * the work through the change feed, one bounded chunk per change (docs/adr/0014-background-jobs.md).
 */
export const JOB_STATUSES = ['awaiting-upload', 'queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** Statuses the job runner picks up from the change feed. */
export const RUNNABLE_JOB_STATUSES: readonly JobStatus[] = ['queued', 'running'];
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export const JobProgress = z.object({
  /** Items (rows, records) handled so far, successful or not. */
  processed: z.number().int().nonnegative(),
  /** Known only for some kinds (e.g. after an export counted its source); absent while unknown. */
  total: z.number().int().nonnegative().optional(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** Succeeded with a note (an import row that resembles an existing customer under policy `warn`). */
  warned: z.number().int().nonnegative().default(0),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const JobError = z.object({ code: z.string(), message: z.string() });
export type JobError = z.infer<typeof JobError>;

/** The job as stored (without its keys); `params`/`checkpoint`/`result` belong to its kind. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind narrows its own params/checkpoint/result
export interface Job<P = any, C = any, R = any> {
  id: string;
  tenantId: string;
  kind: string;
  status: JobStatus;
  progress: JobProgress;
  params: P;
  checkpoint: C;
  result?: R;
  error?: JobError;
  createdAt: string;
  updatedAt: string;
  /** Actor string of the creator (`user:<sub>` / `client:<id>`). */
  createdBy: string;
  /** The creator's principal as verified when the job was created; its access is re-resolved per chunk. */
  principal: import('../principal').Principal;
  /** Chunks run so far (a chunk = one change-feed delivery). */
  chunks: number;
  version: number;
}

/** What the API shows of a job (never the principal snapshot or the checkpoint internals). */
export const JobView = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(JOB_STATUSES),
  progress: JobProgress,
  result: z.record(z.string(), z.unknown()).optional(),
  error: JobError.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
  version: z.number().int().positive(),
}).meta({ id: 'Job' });
export type JobView = z.infer<typeof JobView>;

export const PresignedRequestSchema = z.object({
  url: z.string().describe('Absolute URL (AWS) or one relative to the API origin (local server)'),
  method: z.enum(['PUT', 'GET']),
  headers: z.record(z.string(), z.string()).describe('Send exactly these headers'),
  expiresAt: z.iso.datetime(),
}).meta({ id: 'PresignedRequest' });

export const ListJobsQuery = z.strictObject({
  limit: z.coerce.number().int().optional().transform((n) => Math.min(100, Math.max(1, n ?? 20))),
  after: z.string().max(4096).optional(),
});
export type ListJobsQuery = z.infer<typeof ListJobsQuery>;
