import { completeTask } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { taskIdParam, taskResponse } from './task-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'tasks:update',
  async handle({ ctx, params, headers, container }) {
    return taskResponse(ctx.access, 200, await completeTask(container, ctx, taskIdParam(params), headers['if-match']));
  },
});
