import { createDeal, CreateDealInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { dealResponse } from './deal-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:create',
  body: CreateDealInput,
  async handle({ ctx, body, container }) {
    return dealResponse(ctx.access, 201, await createDeal(container, ctx, body));
  },
});
