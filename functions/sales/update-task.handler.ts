import { updateTask, UpdateTaskInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { taskIdParam, taskResponse } from './task-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'tasks:update',
  body: UpdateTaskInput,
  async handle({ ctx, params, body, headers, container }) {
    return taskResponse(ctx.access, 200, await updateTask(container, ctx, taskIdParam(params), body, headers['if-match']));
  },
});
