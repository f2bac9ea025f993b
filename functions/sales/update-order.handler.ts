import { changeOrderStatus, UpdateOrderInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { orderIdParam, orderResponse } from './order-http';

/** A status change (paid → refunded | cancelled) with If-Match. */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'orders:update',
  body: UpdateOrderInput,
  async handle({ ctx, params, body, headers, container }) {
    return orderResponse(ctx.access, 200, await changeOrderStatus(container, ctx, orderIdParam(params), body, headers['if-match']));
  },
});
