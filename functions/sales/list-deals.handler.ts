import { listDeals, ListDealsQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { maskDeal } from './deal-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:read',
  query: ListDealsQuery,
  async handle({ ctx, query, container }) {
    const page = await listDeals(container, ctx, query);
    return json(200, { ...page, items: page.items.map((d) => maskDeal(ctx.access, d)) });
  },
});
