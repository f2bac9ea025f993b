import { updateCustomer, UpdateCustomerInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { customerIdParam, customerResponse } from './customer-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:update',
  body: UpdateCustomerInput,
  async handle({ ctx, params, body, headers, container }) {
    const overrideDuplicates = headers['x-duplicate-override'] === 'true';
    const { customer, duplicates } = await updateCustomer(container, ctx, customerIdParam(params), body, headers['if-match'], { overrideDuplicates });
    return customerResponse(ctx.access, 200, customer, {}, duplicates);
  },
});
