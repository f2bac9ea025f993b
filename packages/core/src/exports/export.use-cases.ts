import type { SecuredContext } from '../access/access-policy';
import { createJob, jobView, requireOwnJob } from '../jobs/job.repository';
import type { Job } from '../jobs/job.schema';
import type { TransferDeps } from '../imports/import.use-cases';
import { DOWNLOAD_URL_SECONDS } from '../imports/import.use-cases';
import { exportBlobKeys } from './export-job';
import { EXPORT_JOB_KIND, type CreateExportInput, type ExportCheckpoint, type ExportParams, type ExportResult, type ExportView } from './export.schema';

type ExportJob = Job<ExportParams, ExportCheckpoint, ExportResult>;

/** Queues an export of the customers the caller may see; the request itself is audited. */
export async function createExport(deps: TransferDeps, ctx: SecuredContext, input: CreateExportInput): Promise<ExportView> {
  const params: ExportParams = { filter: input.filter, ...(input.fields ? { fields: input.fields } : {}) };
  const job = await createJob<ExportParams, ExportCheckpoint>(deps, ctx, {
    kind: EXPORT_JOB_KIND, params, status: 'queued', checkpoint: { parts: [] },
    audit: { action: 'customers:export', resource: 'customers', detail: { stage: 'started', filter: input.filter, fields: input.fields ?? 'all' } },
  });
  return exportView(deps, job as ExportJob);
}

/** The caller's export; once it succeeded, with a presigned download of the CSV. */
export async function getExport(deps: TransferDeps, ctx: SecuredContext, id: string): Promise<ExportView> {
  return exportView(deps, await requireOwnJob<ExportParams, ExportCheckpoint, ExportResult>(deps.store, ctx, EXPORT_JOB_KIND, id));
}

async function exportView(deps: TransferDeps, job: ExportJob): Promise<ExportView> {
  const view: ExportView = jobView(job as Job);
  if (job.status === 'succeeded') {
    view.download = await deps.blobs.presignDownload(exportBlobKeys.file(job.tenantId, job.id), {
      expiresInSeconds: DOWNLOAD_URL_SECONDS, filename: `customers-${job.createdAt.slice(0, 10)}.csv`,
    });
  }
  return view;
}
