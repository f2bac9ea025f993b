import { etagOf, maskRecord, type AccessPolicy, type Note } from '@crm/core';
import { json, type HttpResult } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

/** The `{id}` path parameter of a note, customer or deal route (404 when malformed). */
export function noteRouteId(params: Record<string, string>, what: 'Note' | 'Customer' | 'Deal'): string {
  return recordIdParam(params, what);
}

/** A note without the fields hidden from the caller, with its ETag (sent back as If-Match). */
export function noteResponse(access: AccessPolicy, status: number, note: Note, headers: Record<string, string> = {}): HttpResult {
  return json(status, maskRecord(access, 'notes', note), { etag: etagOf(note.version), ...headers });
}

/** 201 for a created note: its Location, and `idempotent-replayed` when a retry answered the first request's note. */
export function createdNoteResponse(access: AccessPolicy, { note, replayed }: { note: Note; replayed: boolean }): HttpResult {
  return noteResponse(access, 201, note, { location: `/v1/notes/${note.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
}

/** A cursor page of notes, each masked for the caller. */
export function notePageResponse(access: AccessPolicy, page: { items: Note[]; next: string | null }): HttpResult {
  return json(200, { ...page, items: page.items.map((n) => maskRecord(access, 'notes', n)) });
}
