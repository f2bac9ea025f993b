import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { AppError } from '../errors';
import type { SecuredContext } from '../access/access-policy';
import { createCustomer } from '../customers/create-customer.use-case';
import { loadFieldDefinitions, type FieldDefinition } from '../fields/field-registry';
import type { DuplicateCandidate } from '../duplicates/duplicate.types';
import type { ChunkBudget, ChunkOutcome, JobDeps, JobKind } from '../jobs/job-runner';
import type { Job, JobProgress } from '../jobs/job.schema';
import { columnOfPath, ImportMappingError, mapRow, planColumns, type ColumnPlan, type RowIssue } from './csv-mapping';
import { IMPORT_JOB_KIND, type ImportCheckpoint, type ImportParams, type ImportResult } from './import.schema';

/** Rows created concurrently (DynamoDB latency overlaps; SQLite serialises them anyway). */
const ROW_CONCURRENCY = 8;
/** Bytes inspected to guess the encoding of an `auto` upload. */
const DETECT_BYTES = 64 * 1024;
export const ERROR_REPORT_HEADER = ['row', 'column', 'code', 'level', 'message'];

/** Blob keys of one import (all under the job's folder; the bucket expires them after 7 days). */
export const importBlobKeys = {
  folder: (tenantId: string, id: string) => `jobs/tenant=${tenantId}/imports/${id}/`,
  upload: (tenantId: string, id: string) => `jobs/tenant=${tenantId}/imports/${id}/upload.csv`,
  utf8: (tenantId: string, id: string) => `jobs/tenant=${tenantId}/imports/${id}/source-utf8.csv`,
  errorPart: (tenantId: string, id: string, chunk: number) => `jobs/tenant=${tenantId}/imports/${id}/errors/part-${String(chunk).padStart(6, '0')}.csv`,
  errorReport: (tenantId: string, id: string) => `jobs/tenant=${tenantId}/imports/${id}/errors.csv`,
};

/** The idempotency key of one row's create: a re-run chunk replays instead of creating again. */
export const importRowKey = (jobId: string, row: number) => `import-${jobId}-${row}`;

type ImportJob = Job<ImportParams, ImportCheckpoint, ImportResult>;

/**
 * The customer import: a streamed CSV pass, one bounded chunk per change-feed delivery. The
 * checkpoint is the byte offset after the last fully processed record (plus its row number and the
 * header), so the next chunk resumes with a ranged read and memory stays flat whatever the file
 * size. GBK files are first transcoded to a UTF-8 blob in one streamed pass, so offsets always refer
 * to UTF-8 bytes. Each row is created through `createCustomer` (same validation, normalisation,
 * permissions, duplicate policy and audit as the API) with an idempotency key derived from the job
 * and row number, which makes a re-run chunk write nothing twice.
 */
export const importJobKind: JobKind<ImportParams, ImportCheckpoint, ImportResult> = {
  kind: IMPORT_JOB_KIND,
  permission: 'customers:import',
  runChunk: runImportChunk,
  finishAudit: (job) => ({
    action: 'customers:import',
    resource: 'customers',
    detail: { stage: 'finished', status: job.status, filename: job.params.filename, ...job.progress, ...(job.error ? { error: job.error.code } : {}) },
  }),
};

async function runImportChunk(deps: JobDeps, ctx: SecuredContext, job: ImportJob, budget: ChunkBudget): Promise<ChunkOutcome<ImportCheckpoint, ImportResult>> {
  const { tenantId } = ctx.principal;
  let checkpoint = job.checkpoint;
  if (checkpoint.phase === 'prepare') checkpoint = await prepareSource(deps, job);
  if (checkpoint.phase === 'rows') {
    const step = await importRows(deps, ctx, job, checkpoint, budget);
    if (step.failure || !step.finished) return step;
    checkpoint = step.checkpoint;
    job = { ...job, progress: step.progress, checkpoint };
  }
  // Report phase: join the chunks' error parts into one CSV, streamed. Parts and the UTF-8 copy are
  // left to the bucket's expiry: deleting them before the job's final state is saved would make a
  // re-delivered last chunk lose its inputs.
  const parts = checkpoint.errorParts;
  if (parts.length > 0) {
    await deps.blobs.putStream(importBlobKeys.errorReport(tenantId, job.id), errorReportBody(deps, job, parts), 'text/csv; charset=utf-8');
  }
  const { processed, succeeded, failed, warned } = job.progress;
  return {
    checkpoint: { ...checkpoint, phase: 'report' },
    progress: job.progress,
    result: { rows: processed, succeeded, failed, warned, errorReport: parts.length > 0 },
  };
}

/** Picks (or makes) the UTF-8 source: GBK uploads are transcoded in one streamed pass. */
async function prepareSource(deps: JobDeps, job: ImportJob): Promise<ImportCheckpoint> {
  const { tenantId } = job;
  const uploadKey = importBlobKeys.upload(tenantId, job.id);
  const encoding = job.params.encoding === 'auto' ? await detectEncoding(deps, uploadKey) : job.params.encoding;
  if (encoding === 'utf-8') return { ...job.checkpoint, phase: 'rows', sourceKey: uploadKey, offset: 0, row: 0 };
  const source = await deps.blobs.openRead(uploadKey);
  if (!source) throw new AppError('validation_failed', 'The upload is missing');
  const utf8Key = importBlobKeys.utf8(tenantId, job.id);
  await deps.blobs.putStream(utf8Key, transcodeToUtf8(source), 'text/csv; charset=utf-8');
  return { ...job.checkpoint, phase: 'rows', sourceKey: utf8Key, offset: 0, row: 0 };
}

/** UTF-8 unless the first 64 KB are not valid UTF-8 (a sequence cut at the end does not count). */
export async function detectEncoding(deps: Pick<JobDeps, 'blobs'>, key: string): Promise<'utf-8' | 'gbk'> {
  const source = await deps.blobs.openRead(key);
  if (!source) throw new AppError('validation_failed', 'The upload is missing');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= DETECT_BYTES) break;
  }
  return isUtf8Prefix(Buffer.concat(chunks).subarray(0, DETECT_BYTES)) ? 'utf-8' : 'gbk';
}

export function isUtf8Prefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** GBK → UTF-8, chunk by chunk (GB18030 decoding: a superset of GBK and GB2312). */
export async function* transcodeToUtf8(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const decoder = iconv.getDecoder('gb18030');
  for await (const chunk of source) {
    const text = decoder.write(Buffer.from(chunk));
    if (text) yield Buffer.from(text, 'utf8');
  }
  const tail = decoder.end();
  if (tail) yield Buffer.from(tail, 'utf8');
}

interface RowStep extends ChunkOutcome<ImportCheckpoint, ImportResult> {
  finished: boolean;
}

interface PendingRow {
  row: number;
  cells: string[];
  end: number;
}

interface RowOutcome {
  level: 'ok' | 'warning' | 'error';
  issues: RowIssue[];
}

async function importRows(deps: JobDeps, ctx: SecuredContext, job: ImportJob, start: ImportCheckpoint, budget: ChunkBudget): Promise<RowStep> {
  const { tenantId } = job;
  const source = await deps.blobs.openRead(start.sourceKey!, { start: start.offset });
  if (!source) throw new AppError('validation_failed', 'The upload is missing');
  const fields = await loadFieldDefinitions(deps.store, tenantId, 'customer');
  let checkpoint: ImportCheckpoint = { ...start };
  const progress: JobProgress = { ...job.progress };
  const errorLines: string[] = [];
  let plans: ColumnPlan[] | undefined;
  try {
    plans = checkpoint.header ? planColumns(checkpoint.header, job.params.mapping) : undefined;
  } catch (error) {
    if (error instanceof ImportMappingError) return { checkpoint, progress, finished: true, failure: { code: 'invalid_mapping', message: error.message } };
    throw error;
  }

  const input = Readable.from(source);
  const parser = parse({ bom: start.offset === 0, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true });
  input.pipe(parser);
  let handled = 0;
  let nextRow = start.row + 1;
  let batch: PendingRow[] = [];
  let parseError: Error | undefined;
  let exhausted = true;

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const outcomes = await Promise.all(rows.map((r) => importRow(deps, ctx, job, plans!, fields, r)));
    outcomes.forEach((outcome, i) => {
      const row = rows[i]!;
      progress.processed++;
      if (outcome.level === 'error') progress.failed++;
      else progress.succeeded++;
      if (outcome.level === 'warning') progress.warned = (progress.warned ?? 0) + 1;
      for (const issue of outcome.issues) {
        errorLines.push(stringify([[row.row, issue.column, issue.code, outcome.level, issue.message, ...row.cells]]));
      }
    });
    const last = rows[rows.length - 1]!;
    checkpoint = { ...checkpoint, offset: last.end, row: last.row };
    handled += rows.length;
  };

  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      const end = start.offset + info.bytes;
      if (!plans) {
        const header = record.map((h) => h.trim());
        try {
          plans = planColumns(header, job.params.mapping);
        } catch (error) {
          if (error instanceof ImportMappingError) return { checkpoint, progress, finished: true, failure: { code: 'invalid_mapping', message: error.message } };
          throw error;
        }
        checkpoint = { ...checkpoint, header, offset: end };
        continue;
      }
      batch.push({ row: nextRow++, cells: record, end });
      if (batch.length >= ROW_CONCURRENCY) {
        await flush();
        if (handled >= budget.maxItems || Date.now() >= budget.deadline) {
          exhausted = false;
          break;
        }
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('CSV_')) parseError = error as Error;
    else throw error;
  } finally {
    input.destroy();
    parser.destroy();
  }
  await flush();

  const partChunk = job.chunks + 1;
  if (errorLines.length > 0) {
    await deps.blobs.put(importBlobKeys.errorPart(tenantId, job.id, partChunk), errorLines.join(''), 'text/csv; charset=utf-8');
    checkpoint = { ...checkpoint, errorParts: [...checkpoint.errorParts.filter((p) => p !== partChunk), partChunk] };
  }
  if (parseError) {
    return { checkpoint, progress, finished: true, failure: { code: 'invalid_csv', message: `The file is not valid CSV after row ${checkpoint.row}: ${parseError.message}` } };
  }
  if (!plans) return { checkpoint, progress, finished: true, failure: { code: 'empty_file', message: 'The file has no header row' } };
  return { checkpoint: exhausted ? { ...checkpoint, phase: 'report' } : checkpoint, progress, finished: exhausted };
}

async function importRow(deps: JobDeps, ctx: SecuredContext, job: ImportJob, plans: ColumnPlan[], fields: FieldDefinition[], pending: PendingRow): Promise<RowOutcome> {
  const mapped = mapRow(plans, pending.cells, { defaultKind: job.params.kind, fields });
  if (!mapped.ok) return { level: 'error', issues: mapped.issues };
  try {
    const result = await createCustomer(deps, ctx, mapped.input, {
      idempotencyKey: importRowKey(job.id, pending.row),
      rawBody: mapped.body,
      duplicatePolicy: job.params.duplicatePolicy,
    });
    const duplicates = (result as { duplicates?: DuplicateCandidate[] }).duplicates ?? [];
    if (duplicates.length > 0) return { level: 'warning', issues: [{ column: '', code: 'possible_duplicate', message: `created ${result.customer.id}; resembles ${describe(duplicates)}` }] };
    return { level: 'ok', issues: [] };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'duplicate_customer') {
      const duplicates = (error.extra.duplicates ?? []) as DuplicateCandidate[];
      return { level: 'error', issues: [{ column: '', code: error.code, message: `resembles ${describe(duplicates)}` }] };
    }
    const fieldErrors = error.extra.errors ?? [];
    if (fieldErrors.length > 0) return { level: 'error', issues: fieldErrors.map((e) => ({ column: columnOfPath(plans, e.path), code: error.code, message: `${e.path}: ${e.message}` })) };
    return { level: 'error', issues: [{ column: '', code: error.code, message: error.message }] };
  }
}

function describe(duplicates: DuplicateCandidate[]): string {
  return duplicates.slice(0, 5).map((d) => `${d.id} (${d.name}, ${d.rule})`).join('; ') || 'an existing customer';
}

async function* errorReportBody(deps: JobDeps, job: ImportJob, parts: number[]): AsyncIterable<Uint8Array> {
  // The UTF-8 BOM makes spreadsheet programs (Excel with Chinese text) read the report correctly.
  yield Buffer.from(`\ufeff${stringify([[...ERROR_REPORT_HEADER, ...(job.checkpoint.header ?? [])]])}`, 'utf8');
  for (const part of [...parts].sort((a, b) => a - b)) {
    const body = await deps.blobs.openRead(importBlobKeys.errorPart(job.tenantId, job.id, part));
    if (!body) throw new Error(`Error-report part ${part} of job ${job.id} is missing`);
    for await (const chunk of body) yield chunk;
  }
}
