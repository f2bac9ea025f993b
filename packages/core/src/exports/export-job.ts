import { stringify } from 'csv-stringify/sync';
import { fieldAccess, maskRecord, type SecuredContext } from '../access/access-policy';
import { listCustomers } from '../customers/list-customers.use-case';
import { ListCustomersQuery, type Customer } from '../customers/customer.schema';
import { loadFieldDefinitions } from '../fields/field-registry';
import type { ChunkBudget, ChunkOutcome, JobDeps, JobKind } from '../jobs/job-runner';
import type { Job } from '../jobs/job.schema';
import { EXPORT_JOB_KIND, STANDARD_EXPORT_COLUMNS, type ExportCheckpoint, type ExportParams, type ExportResult } from './export.schema';

const PAGE_SIZE = 200;

export const exportBlobKeys = {
  part: (tenantId: string, id: string, chunk: number) => `jobs/tenant=${tenantId}/exports/${id}/parts/part-${String(chunk).padStart(6, '0')}.csv`,
  file: (tenantId: string, id: string) => `jobs/tenant=${tenantId}/exports/${id}/customers.csv`,
};

type ExportJob = Job<ExportParams, ExportCheckpoint, ExportResult>;

/**
 * The customer export: pages of the same list use case the API serves (so the caller's data domain
 * applies: tenant, subtree or own records plus shares), each record masked with the caller's field
 * rules, and columns of fields hidden from the caller left out of the file altogether. Each chunk
 * writes its rows as one part; the last chunk joins the parts (streamed) into the CSV.
 */
export const exportJobKind: JobKind<ExportParams, ExportCheckpoint, ExportResult> = {
  kind: EXPORT_JOB_KIND,
  permission: 'customers:export',
  runChunk: runExportChunk,
  finishAudit: (job) => ({
    action: 'customers:export',
    resource: 'customers',
    detail: { stage: 'finished', status: job.status, filter: job.params.filter, columns: job.checkpoint.columns ?? [], rows: job.progress.processed },
  }),
};

async function runExportChunk(deps: JobDeps, ctx: SecuredContext, job: ExportJob, budget: ChunkBudget): Promise<ChunkOutcome<ExportCheckpoint, ExportResult>> {
  const { tenantId } = job;
  const columns = job.checkpoint.columns ?? (await exportColumns(deps, ctx, job.params));
  let cursor = job.checkpoint.cursor;
  let rows = 0;
  const lines: string[] = [];
  do {
    const page = await listCustomers(deps, ctx, ListCustomersQuery.parse({ limit: PAGE_SIZE, ...job.params.filter, ...(cursor ? { after: cursor } : {}) }));
    for (const customer of page.items) lines.push(stringify([columns.map((c) => cellOf(maskRecord(ctx.access, 'customers', customer), c))]));
    rows += page.items.length;
    cursor = page.next ?? undefined;
  } while (cursor && rows < budget.maxItems && Date.now() < budget.deadline);

  const chunk = job.chunks + 1;
  let parts = job.checkpoint.parts;
  if (lines.length > 0) {
    await deps.blobs.put(exportBlobKeys.part(tenantId, job.id, chunk), lines.join(''), 'text/csv; charset=utf-8');
    parts = [...parts.filter((p) => p !== chunk), chunk];
  }
  const progress = { ...job.progress, processed: job.progress.processed + rows, succeeded: job.progress.succeeded + rows };
  const checkpoint: ExportCheckpoint = { columns, parts, ...(cursor ? { cursor } : {}) };
  if (cursor) return { checkpoint, progress };

  // Parts stay until the bucket expires them: a re-delivered last chunk needs them again.
  await deps.blobs.putStream(exportBlobKeys.file(tenantId, job.id), fileBody(deps, job, columns, parts), 'text/csv; charset=utf-8');
  return { checkpoint, progress: { ...progress, total: progress.processed }, result: { rows: progress.processed, columns } };
}

/** Requested (or all) columns minus the ones hidden from the caller. */
async function exportColumns(deps: JobDeps, ctx: SecuredContext, params: ExportParams): Promise<string[]> {
  let wanted = params.fields;
  if (!wanted) {
    const defined = await loadFieldDefinitions(deps.store, ctx.principal.tenantId, 'customer');
    wanted = [...STANDARD_EXPORT_COLUMNS, ...defined.filter((d) => d.status === 'active').map((d) => `customFields.${d.key}`)];
  }
  return [...new Set(wanted)].filter((c) => fieldAccess(ctx.access, 'customers', c) !== 'hidden');
}

/** One cell: lists joined with `; `, phones as E.164 when valid, the address as one line. */
export function cellOf(customer: Partial<Customer>, column: string): string {
  if (column.startsWith('customFields.')) return scalar(customer.customFields?.[column.slice('customFields.'.length)]);
  switch (column) {
    case 'phones':
      return (customer.phones ?? []).map((p) => p.e164 ?? p.raw).join('; ');
    case 'emails':
      return (customer.emails ?? []).map((e) => e.address).join('; ');
    case 'address': {
      const a = customer.address;
      return a ? [a.line1, a.line2, a.city, a.region, a.postalCode, a.country].filter(Boolean).join(', ') : '';
    }
    default:
      return scalar((customer as Record<string, unknown>)[column]);
  }
}

function scalar(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(scalar).join('; ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

async function* fileBody(deps: JobDeps, job: ExportJob, columns: string[], parts: number[]): AsyncIterable<Uint8Array> {
  yield Buffer.from(`\ufeff${stringify([columns])}`, 'utf8');
  for (const part of [...parts].sort((a, b) => a - b)) {
    const body = await deps.blobs.openRead(exportBlobKeys.part(job.tenantId, job.id, part));
    if (!body) throw new Error(`Export part ${part} of job ${job.id} is missing`);
    for await (const chunk of body) yield chunk;
  }
}
