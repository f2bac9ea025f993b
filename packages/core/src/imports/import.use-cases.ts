import { AppError } from '../errors';
import type { SecuredContext } from '../access/access-policy';
import { createJob, jobView, listOwnJobs, requireOwnJob, saveJob, assertJobStatus, JobVersionConflictError } from '../jobs/job.repository';
import { auditEntryFrom, auditPutOperation } from '../audit/audit-entry';
import type { JobDeps } from '../jobs/job-runner';
import type { Job, ListJobsQuery } from '../jobs/job.schema';
import { importBlobKeys } from './import-job';
import { IMPORT_JOB_KIND, type CreateImportInput, type ImportCheckpoint, type ImportParams, type ImportResult, type ImportView } from './import.schema';

/** Presigned upload URLs live an hour, downloads 15 minutes (ask GET again for a fresh one). */
export const UPLOAD_URL_SECONDS = 60 * 60;
export const DOWNLOAD_URL_SECONDS = 15 * 60;

type ImportJob = Job<ImportParams, ImportCheckpoint, ImportResult>;
export type TransferDeps = Pick<JobDeps, 'store' | 'clock' | 'ids' | 'blobs'>;

/**
 * Creates an import waiting for its file, with a presigned PUT the client uploads the CSV with
 * (directly to the bucket: no 10 MB API limit, no Lambda in the byte path).
 */
export async function createImport(deps: TransferDeps, ctx: SecuredContext, input: CreateImportInput): Promise<ImportView> {
  const params: ImportParams = {
    filename: input.filename, encoding: input.encoding, duplicatePolicy: input.duplicatePolicy, kind: input.kind,
    ...(input.mapping ? { mapping: input.mapping } : {}),
  };
  const job = await createJob<ImportParams, ImportCheckpoint>(deps, ctx, {
    kind: IMPORT_JOB_KIND, params, status: 'awaiting-upload', checkpoint: { phase: 'prepare', offset: 0, row: 0, errorParts: [] },
  });
  return importView(deps, job as ImportJob);
}

/** Queues an uploaded import (409 while the file is missing or once started); audited. */
export async function startImport(deps: TransferDeps, ctx: SecuredContext, id: string): Promise<ImportView> {
  const job = await requireOwnJob<ImportParams, ImportCheckpoint, ImportResult>(deps.store, ctx, IMPORT_JOB_KIND, id);
  assertJobStatus(job as Job, ['awaiting-upload'], 'start');
  const size = await deps.blobs.size(importBlobKeys.upload(job.tenantId, job.id));
  if (!size) throw new AppError('conflict', 'Upload the file to the upload URL before starting the import');
  const audit = auditPutOperation(auditEntryFrom(ctx, {
    action: 'customers:import', resource: 'customers', resourceId: job.id,
    detail: { stage: 'started', filename: job.params.filename, bytes: size, encoding: job.params.encoding, duplicatePolicy: job.params.duplicatePolicy },
  }, deps.clock, deps.ids));
  try {
    const queued = await saveJob(deps, job as Job, { status: 'queued' }, [audit]);
    return importView(deps, queued as ImportJob);
  } catch (error) {
    if (error instanceof JobVersionConflictError) throw new AppError('conflict', 'The import was started concurrently');
    throw error;
  }
}

/** The caller's import: progress, counts and, once finished with problems, the error report. */
export async function getImport(deps: TransferDeps, ctx: SecuredContext, id: string): Promise<ImportView> {
  const job = await requireOwnJob<ImportParams, ImportCheckpoint, ImportResult>(deps.store, ctx, IMPORT_JOB_KIND, id);
  return importView(deps, job);
}

export async function listImports(deps: TransferDeps, ctx: SecuredContext, q: ListJobsQuery): Promise<{ items: ImportView[]; next: string | null }> {
  const page = await listOwnJobs(deps.store, ctx, IMPORT_JOB_KIND, q);
  // Lists show no URLs (presigning each item would be wasted work): GET one import for its links.
  return { items: page.items.map((job) => ({ ...jobView(job), filename: (job.params as unknown as ImportParams).filename })), next: page.next };
}

async function importView(deps: TransferDeps, job: ImportJob): Promise<ImportView> {
  const view: ImportView = { ...jobView(job as Job), filename: job.params.filename };
  if (job.status === 'awaiting-upload') {
    view.upload = await deps.blobs.presignUpload(importBlobKeys.upload(job.tenantId, job.id), { contentType: 'text/csv', expiresInSeconds: UPLOAD_URL_SECONDS });
  }
  if (job.result?.errorReport) {
    view.errorReport = await deps.blobs.presignDownload(importBlobKeys.errorReport(job.tenantId, job.id), {
      expiresInSeconds: DOWNLOAD_URL_SECONDS, filename: `${job.params.filename.replace(/\.csv$/i, '')}-errors.csv`,
    });
  }
  return view;
}
