import { deleteCustomer } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { customerIdParam } from './customer-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:delete',
  async handle({ ctx, params, headers, container }) {
    await deleteCustomer(container, ctx, customerIdParam(params), headers['if-match']);
    return { status: 204 };
  },
});
