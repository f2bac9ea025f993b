import { listCustomers, ListCustomersRequestQuery, maskRecord } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:read',
  query: ListCustomersRequestQuery,
  async handle({ ctx, query, container }) {
    const page = await listCustomers(container, ctx, query);
    return json(200, { ...page, items: page.items.map((c) => maskRecord(ctx.access, 'customers', c)) });
  },
});
