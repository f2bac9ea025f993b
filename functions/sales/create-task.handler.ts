import { createTask, CreateTaskInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { taskResponse } from './task-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'tasks:create',
  body: CreateTaskInput,
  async handle({ ctx, body, rawBody, headers, container }) {
    const idempotencyKey = headers['idempotency-key'];
    const { task, replayed } = await createTask(container, ctx, body, { ...(idempotencyKey ? { idempotencyKey } : {}), rawBody });
    return taskResponse(ctx.access, 201, task, { location: `/v1/tasks/${task.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
  },
});
