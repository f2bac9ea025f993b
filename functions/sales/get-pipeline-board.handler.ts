import { BoardQuery, getPipelineBoard } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { maskDeal } from './deal-http';
import { pipelineIdParam } from './pipeline-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:read',
  query: BoardQuery,
  async handle({ ctx, params, query, container }) {
    const board = await getPipelineBoard(container, ctx, pipelineIdParam(params), query);
    return json(200, { ...board, stages: board.stages.map((s) => ({ ...s, items: s.items.map((d) => maskDeal(ctx.access, d)) })) });
  },
});
