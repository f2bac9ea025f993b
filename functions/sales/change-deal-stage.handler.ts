import { changeDealStage, ChangeDealStageInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { dealIdParam, dealResponse } from './deal-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:update',
  body: ChangeDealStageInput,
  async handle({ ctx, params, body, headers, container }) {
    const { deal } = await changeDealStage(container, ctx, dealIdParam(params), body, headers['if-match']);
    return dealResponse(ctx.access, 200, deal);
  },
});
