import { getCustomer, GetCustomerQuery } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { customerIdParam, customerResponse } from './customer-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:read',
  query: GetCustomerQuery,
  async handle({ ctx, params, query, container }) {
    const id = customerIdParam(params);
    const customer = await getCustomer(container, ctx, id, query);
    // A merged id answers with its survivor; Content-Location names the record's current URL.
    return customerResponse(ctx.access, 200, customer, customer.id !== id ? { 'content-location': `/v1/customers/${customer.id}` } : {});
  },
});
