import { getDealHistory, HistoryQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { dealIdParam } from './deal-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:read',
  query: HistoryQuery,
  async handle({ ctx, params, query, container }) {
    return json(200, await getDealHistory(container, ctx, dealIdParam(params), query));
  },
});
