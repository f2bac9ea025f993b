import { getTimeline, maskInteraction, TimelineQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'interactions:read',
  query: TimelineQuery,
  async handle({ ctx, query, params, container }) {
    const page = await getTimeline(container, ctx, recordIdParam(params, 'Customer'), query);
    return json(200, { ...page, items: page.items.map((i) => maskInteraction(ctx.access, i)) });
  },
});
