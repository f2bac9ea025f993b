import { restoreCustomer } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { customerIdParam, customerResponse } from './customer-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:delete',
  async handle({ ctx, params, container }) {
    return customerResponse(ctx.access, 200, await restoreCustomer(container, ctx, customerIdParam(params)));
  },
});
