import { createNote, CreateNoteInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { noteResponse, noteRouteId } from './note-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'notes:create',
  body: CreateNoteInput,
  async handle({ ctx, params, body, rawBody, headers, container }) {
    const idempotencyKey = headers['idempotency-key'];
    const { note, replayed } = await createNote(container, ctx, { dealId: noteRouteId(params, 'Deal') }, body, { rawBody, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) });
    return noteResponse(ctx.access, 201, note, { location: `/v1/notes/${note.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
  },
});
