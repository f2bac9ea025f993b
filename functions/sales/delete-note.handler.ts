import { deleteNote } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { noteRouteId } from './note-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'notes:delete',
  async handle({ ctx, params, headers, container }) {
    await deleteNote(container, ctx, noteRouteId(params, 'Note'), headers['if-match']);
    return { status: 204 };
  },
});
