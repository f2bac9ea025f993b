import * as z from 'zod';
import { CreateTaskInput, ListTasksQuery, RecordId, Task, TaskPage, UpdateTaskInput } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const TaskDoc = Task.meta({ id: 'Task' });
const TaskPageDoc = TaskPage.extend({ items: z.array(TaskDoc) }).meta({ id: 'TaskPage' });
const IdParams = z.object({ id: RecordId });
const OptionalIfMatch = z.object({ 'if-match': z.string().optional().describe('The ETag you read; 412 when the task changed since') });

export const taskDocs: Record<string, RouteDoc> = {
  'create-task': {
    body: CreateTaskInput,
    headers: z.object({ 'idempotency-key': z.string().max(255).optional().describe('Retries with the same key and body replay the first response') }),
    ok: { 201: TaskDoc },
    errors: [400, 409, 415, 422],
  },
  'list-tasks': { query: ListTasksQuery, ok: { 200: TaskPageDoc }, errors: [400, 404] },
  'get-task': { params: IdParams, ok: { 200: TaskDoc }, errors: [404] },
  'update-task': { params: IdParams, headers: z.object({ 'if-match': z.string().describe('The ETag of the version you read') }), body: UpdateTaskInput, ok: { 200: TaskDoc }, errors: [400, 404, 409, 412, 415, 428] },
  'complete-task': { params: IdParams, headers: OptionalIfMatch, ok: { 200: TaskDoc }, errors: [404, 409, 412] },
  'reopen-task': { params: IdParams, headers: OptionalIfMatch, ok: { 200: TaskDoc }, errors: [404, 409, 412] },
  'delete-task': { params: IdParams, headers: OptionalIfMatch, ok: { 204: undefined }, errors: [404, 412] },
};
