import { deleteDeal } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { dealIdParam } from './deal-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:delete',
  async handle({ ctx, params, headers, container }) {
    await deleteDeal(container, ctx, dealIdParam(params), headers['if-match']);
    return { status: 204 };
  },
});
