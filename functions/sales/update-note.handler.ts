import { updateNote, UpdateNoteInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { noteResponse, noteRouteId } from './note-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'notes:update',
  body: UpdateNoteInput,
  async handle({ ctx, params, body, headers, container }) {
    return noteResponse(ctx.access, 200, await updateNote(container, ctx, noteRouteId(params, 'Note'), body, headers['if-match']));
  },
});
