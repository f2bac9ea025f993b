import { etagOf, maskRecord, type AccessPolicy, type Task } from '@crm/core';
import { json, type HttpResult } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

/** The task `{id}` path parameter (404 when malformed). */
export function taskIdParam(params: Record<string, string>): string {
  return recordIdParam(params, 'Task');
}

/** A task response without the fields hidden from the caller, with its ETag (sent back as If-Match). */
export function taskResponse(access: AccessPolicy, status: number, task: Task, headers: Record<string, string> = {}): HttpResult {
  return json(status, maskRecord(access, 'tasks', task), { etag: etagOf(task.version), ...headers });
}
