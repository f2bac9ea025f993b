import { findCustomerDuplicates } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { customerIdParam } from '../customers/customer-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:read',
  async handle({ ctx, params, container }) {
    return json(200, await findCustomerDuplicates(container, ctx, customerIdParam(params)));
  },
});
