import * as z from 'zod';
import { CUSTOMER_KINDS } from '../customers/customer.schema';
import { DuplicatePolicy } from '../duplicates/duplicate.types';
import { JobView, PresignedRequestSchema } from '../jobs/job.schema';
import { ImportMapping } from './csv-mapping';

export const IMPORT_JOB_KIND = 'customer-import';
export const IMPORT_ENCODINGS = ['utf-8', 'gbk', 'auto'] as const;

export const CreateImportInput = z.strictObject({
  /** The client's file name (shown back, used for the error report's name). */
  filename: z.string().trim().min(1).max(255),
  /** `auto`: UTF-8 unless the first 64 KB are not valid UTF-8, then GBK (GB18030). */
  encoding: z.enum(IMPORT_ENCODINGS).default('auto'),
  /** CSV header → field; unmapped headers are matched by name, `customFields.<key>` headers map to themselves. */
  mapping: ImportMapping.optional(),
  /** What a row that resembles an existing customer does: created (`allow`), created with a note (`warn`), or refused (`block`). */
  duplicatePolicy: DuplicatePolicy.default('warn'),
  /** Kind of rows without a kind column/value. */
  kind: z.enum(CUSTOMER_KINDS).default('person'),
}).meta({ id: 'CreateImportInput' });
export type CreateImportInput = z.infer<typeof CreateImportInput>;

export interface ImportParams {
  filename: string;
  encoding: (typeof IMPORT_ENCODINGS)[number];
  mapping?: ImportMapping;
  duplicatePolicy: DuplicatePolicy;
  kind: (typeof CUSTOMER_KINDS)[number];
}

export interface ImportCheckpoint {
  phase: 'prepare' | 'rows' | 'report';
  /** The UTF-8 blob rows are read from (the upload itself, or its transcoded copy). */
  sourceKey?: string;
  /** Byte offset in `sourceKey` after the last fully processed record. */
  offset: number;
  /** Number of the last processed data row (1 = the first row after the header). */
  row: number;
  header?: string[];
  /** Chunks that wrote an error-report part. */
  errorParts: number[];
}

export interface ImportResult {
  rows: number;
  succeeded: number;
  failed: number;
  warned: number;
  /** Whether an error report (failed and warned rows) exists. */
  errorReport: boolean;
}

export const ImportView = JobView.extend({
  filename: z.string(),
  /** Present while the job waits for its file. */
  upload: PresignedRequestSchema.optional(),
  /** Failed and warned rows as CSV (row, column, code, level, message, original cells), once finished. */
  errorReport: PresignedRequestSchema.optional(),
}).meta({ id: 'Import' });
export type ImportView = z.infer<typeof ImportView>;

export const ImportPage = z.object({ items: z.array(ImportView), next: z.string().nullable() }).meta({ id: 'ImportPage' });
