import { listImports, ListJobsQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { transferDeps } from './job-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:import',
  query: ListJobsQuery,
  async handle({ ctx, query, container }) {
    return json(200, await listImports(transferDeps(container), ctx, query));
  },
});
