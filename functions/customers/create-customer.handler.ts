import { createCustomer, CreateCustomerInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { customerResponse } from './customer-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:create',
  body: CreateCustomerInput,
  async handle({ ctx, body, rawBody, headers, container }) {
    const idempotencyKey = headers['idempotency-key'];
    const overrideDuplicates = headers['x-duplicate-override'] === 'true';
    const { customer, replayed, duplicates } = await createCustomer(container, ctx, body, { rawBody, overrideDuplicates, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) });
    return customerResponse(ctx.access, 201, customer, { location: `/v1/customers/${customer.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) }, duplicates);
  },
});
