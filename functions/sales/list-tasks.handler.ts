import { listTasks, ListTasksQuery, maskRecord } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'tasks:read',
  query: ListTasksQuery,
  async handle({ ctx, query, container }) {
    const page = await listTasks(container, ctx, query);
    return json(200, { ...page, items: page.items.map((t) => maskRecord(ctx.access, 'tasks', t)) });
  },
});
