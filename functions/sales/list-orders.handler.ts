import { listOrders, ListOrdersQuery, maskRecord } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'orders:read',
  query: ListOrdersQuery,
  async handle({ ctx, query, container }) {
    const page = await listOrders(container, ctx, query);
    return json(200, { items: page.items.map((o) => maskRecord(ctx.access, 'orders', o)), next: page.next });
  },
});
