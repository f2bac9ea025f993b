import * as z from 'zod';
import { CreateNoteInput, ListNotesQuery, Note, RecordId, UpdateNoteInput } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId });
const NoteDoc = Note.meta({ id: 'Note' });
const NotePage = z.object({ items: z.array(NoteDoc), next: z.string().nullable() });
const CreateHeaders = z.object({ 'idempotency-key': z.string().max(255).optional() });
const IfMatch = z.object({ 'if-match': z.string().meta({ description: 'The ETag you read' }) });
const OptionalIfMatch = z.object({ 'if-match': z.string().optional() });

export const noteDocs: Record<string, RouteDoc> = {
  'create-customer-note': { params: IdParams, headers: CreateHeaders, body: CreateNoteInput, ok: { 201: NoteDoc }, errors: [400, 404, 409, 422] },
  'list-customer-notes': { params: IdParams, query: ListNotesQuery, ok: { 200: NotePage }, errors: [400, 404, 409] },
  'create-deal-note': { params: IdParams, headers: CreateHeaders, body: CreateNoteInput, ok: { 201: NoteDoc }, errors: [400, 404, 422] },
  'list-deal-notes': { params: IdParams, query: ListNotesQuery, ok: { 200: NotePage }, errors: [400, 404] },
  'get-note': { params: IdParams, ok: { 200: NoteDoc }, errors: [404] },
  'update-note': { params: IdParams, headers: IfMatch, body: UpdateNoteInput, ok: { 200: NoteDoc }, errors: [400, 404, 412, 428] },
  'delete-note': { params: IdParams, headers: OptionalIfMatch, ok: { 204: undefined }, errors: [404, 412] },
};
