import { CreateExportInput, CreateImportInput, ExportView, ImportPage, ImportView, ListJobsQuery, RecordId } from '@crm/core';
import * as z from 'zod';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId });

/** Bulk transfer (docs/adr/0014-background-jobs.md): imports and exports as background jobs. */
export const importDocs: Record<string, RouteDoc> = {
  'create-import': { body: CreateImportInput, ok: { 201: ImportView }, errors: [400, 415] },
  'start-import': { params: IdParams, ok: { 202: ImportView }, errors: [404, 409] },
  'get-import': { params: IdParams, ok: { 200: ImportView }, errors: [404] },
  'list-imports': { query: ListJobsQuery, ok: { 200: ImportPage }, errors: [400] },
  'create-export': { body: CreateExportInput, ok: { 202: ExportView }, errors: [400, 415] },
  'get-export': { params: IdParams, ok: { 200: ExportView }, errors: [404] },
};
