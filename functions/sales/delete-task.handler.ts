import { deleteTask } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { taskIdParam } from './task-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'tasks:delete',
  async handle({ ctx, params, headers, container }) {
    await deleteTask(container, ctx, taskIdParam(params), headers['if-match']);
    return { status: 204 };
  },
});
