import { restoreCustomer } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { customerIdParam, customerResponse } from './customer-http';

export const handler = httpRoute({
  auth: 'jwt',
  async handle({ ctx, params, container }) {
    return customerResponse(200, await restoreCustomer(container, ctx, customerIdParam(params)));
  },
});
