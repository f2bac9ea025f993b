import * as z from 'zod';
import { CUSTOMER_KINDS, Tag, UserRef } from '../customers/customer.schema';
import { JobView, PresignedRequestSchema } from '../jobs/job.schema';

export const EXPORT_JOB_KIND = 'customer-export';

/** Standard columns of an export, in file order (the default set, before custom fields). */
export const STANDARD_EXPORT_COLUMNS = [
  'id', 'kind', 'name', 'phones', 'emails', 'address', 'tags', 'ownerId', 'companyId', 'orgPath', 'createdAt', 'updatedAt',
] as const;

export const ExportColumn = z.union([
  z.enum(STANDARD_EXPORT_COLUMNS),
  z.string().regex(/^customFields\.[a-z][a-zA-Z0-9_]{0,63}$/, 'must be a standard field or customFields.<key>'),
]);

export const ExportFilter = z.strictObject({
  tag: Tag.optional(),
  ownerId: UserRef.optional(),
  kind: z.enum(CUSTOMER_KINDS).optional(),
});
export type ExportFilter = z.infer<typeof ExportFilter>;

export const CreateExportInput = z.strictObject({
  filter: ExportFilter.default({}),
  /** Columns (standard fields or `customFields.<key>`); default: every standard field and every defined custom field. Fields hidden from the caller are left out. */
  fields: z.array(ExportColumn).min(1).max(250).optional(),
}).meta({ id: 'CreateExportInput' });
export type CreateExportInput = z.infer<typeof CreateExportInput>;

export interface ExportParams {
  filter: ExportFilter;
  fields?: string[];
}

export interface ExportCheckpoint {
  /** List cursor after the last exported page; absent before the first page. */
  cursor?: string;
  /** The columns decided by the first chunk (hidden fields removed). */
  columns?: string[];
  /** Chunks that wrote a part of the file. */
  parts: number[];
}

export interface ExportResult {
  rows: number;
  columns: string[];
}

export const ExportView = JobView.extend({
  /** The CSV (UTF-8 with BOM), once the export succeeded. */
  download: PresignedRequestSchema.optional(),
}).meta({ id: 'Export' });
export type ExportView = z.infer<typeof ExportView>;
