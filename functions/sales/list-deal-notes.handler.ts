import { listDealNotes, ListNotesQuery } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { notePageResponse, noteRouteId } from './note-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'notes:read',
  query: ListNotesQuery,
  async handle({ ctx, params, query, container }) {
    return notePageResponse(ctx.access, await listDealNotes(container, ctx, noteRouteId(params, 'Deal'), query));
  },
});
