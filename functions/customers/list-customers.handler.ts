import { listCustomers, ListCustomersQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  query: ListCustomersQuery,
  async handle({ ctx, query, container }) {
    return json(200, await listCustomers(container, ctx, query));
  },
});
