import { releaseCustomer } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { customerIdParam, customerResponse } from './customer-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:claim',
  async handle({ ctx, params, container }) {
    return customerResponse(ctx.access, 200, await releaseCustomer(container, ctx, customerIdParam(params)));
  },
});
