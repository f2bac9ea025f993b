import { getCustomer, GetCustomerQuery } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { customerIdParam, customerResponse } from './customer-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:read',
  query: GetCustomerQuery,
  async handle({ ctx, params, query, container }) {
    return customerResponse(ctx.access, 200, await getCustomer(container, ctx, customerIdParam(params), query));
  },
});
