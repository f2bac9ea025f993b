import { getTimeline, maskInteraction, TimelineQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { archiveStoreOf } from '../analytics/container-archive';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'interactions:read',
  query: TimelineQuery,
  async handle({ ctx, query, params, container }) {
    // The archive continues the history once the live items are exhausted (issue 7, ADR 0034).
    const page = await getTimeline({ store: container.store, archive: archiveStoreOf(container) }, ctx, recordIdParam(params, 'Customer'), query);
    return json(200, { ...page, items: page.items.map((i) => maskInteraction(ctx.access, i)) });
  },
});
