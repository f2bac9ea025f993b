import { createOrder, CreateOrderInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { orderResponse } from './order-http';

/** 201 for a new order; 200 (`idempotent-replayed: true`) when the same externalId was already recorded with the same content. */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'orders:create',
  body: CreateOrderInput,
  async handle({ ctx, body, rawBody, container }) {
    const { order, created } = await createOrder(container, ctx, body, { rawBody });
    return orderResponse(ctx.access, created ? 201 : 200, order, { location: `/v1/orders/${order.id}`, ...(created ? {} : { 'idempotent-replayed': 'true' }) });
  },
});
