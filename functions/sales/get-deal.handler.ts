import { getDeal } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { dealIdParam, dealResponse } from './deal-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:read',
  async handle({ ctx, params, container }) {
    return dealResponse(ctx.access, 200, await getDeal(container, ctx, dealIdParam(params)));
  },
});
