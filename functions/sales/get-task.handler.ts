import { getTask } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { taskIdParam, taskResponse } from './task-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'tasks:read',
  async handle({ ctx, params, container }) {
    return taskResponse(ctx.access, 200, await getTask(container, ctx, taskIdParam(params)));
  },
});
