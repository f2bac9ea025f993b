import { createNote, CreateNoteInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { createdNoteResponse, noteRouteId } from './note-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'notes:create',
  body: CreateNoteInput,
  async handle({ ctx, params, body, rawBody, headers, container }) {
    const idempotencyKey = headers['idempotency-key'];
    return createdNoteResponse(ctx.access, await createNote(container, ctx, { customerId: noteRouteId(params, 'Customer') }, body, { rawBody, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) }));
  },
});
