import { getOrder } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { orderIdParam, orderResponse } from './order-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'orders:read',
  async handle({ ctx, params, container }) {
    return orderResponse(ctx.access, 200, await getOrder(container, ctx, orderIdParam(params)));
  },
});
