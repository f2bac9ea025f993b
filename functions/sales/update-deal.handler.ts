import { updateDeal, UpdateDealInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { dealIdParam, dealResponse } from './deal-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:update',
  body: UpdateDealInput,
  async handle({ ctx, params, body, headers, container }) {
    return dealResponse(ctx.access, 200, await updateDeal(container, ctx, dealIdParam(params), body, headers['if-match']));
  },
});
