import { getNote } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { noteResponse, noteRouteId } from './note-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'notes:read',
  async handle({ ctx, params, container }) {
    return noteResponse(ctx.access, 200, await getNote(container, ctx, noteRouteId(params, 'Note')));
  },
});
