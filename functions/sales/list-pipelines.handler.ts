import { listPipelines, ListPipelinesQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:read',
  query: ListPipelinesQuery,
  async handle({ ctx, query, container }) {
    return json(200, await listPipelines(container, ctx, query));
  },
});
