import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

const read = { context: 'sales', table: 'read', scopes: SCOPES.customersRead, permission: 'tasks:read' } as const;
const write = (permission: string) => ({ context: 'sales', table: 'read-write', scopes: SCOPES.customersWrite, permission }) as const;

/**
 * Tasks and follow-ups (issue 6): due time, assignee, related customer/deal, a reminder that the
 * timers fire as `task.due` (handler: packages/core/src/tasks/task-timers.ts), complete/reopen.
 */
export const taskEntries: ManifestEntry[] = [
  jwtRoute('sales', 'create-task', 'POST', '/v1/tasks', 'Create a task (assignee defaults to the caller; reminder defaults to the due time)', write('tasks:create')),
  jwtRoute('sales', 'list-tasks', 'GET', '/v1/tasks', 'My open tasks by due time (default), overdue tasks, an assignee\'s tasks, or the tasks of a customer or deal (cursor pages)', read),
  jwtRoute('sales', 'get-task', 'GET', '/v1/tasks/{id}', 'Get one task', read),
  jwtRoute('sales', 'update-task', 'PATCH', '/v1/tasks/{id}', 'Update a task (JSON merge patch, If-Match required); moving due/remind time re-arms the reminder', write('tasks:update')),
  jwtRoute('sales', 'complete-task', 'POST', '/v1/tasks/{id}/complete', 'Mark a task done (clears its pending reminder)', write('tasks:update')),
  jwtRoute('sales', 'reopen-task', 'POST', '/v1/tasks/{id}/reopen', 'Open a done task again', write('tasks:update')),
  jwtRoute('sales', 'delete-task', 'DELETE', '/v1/tasks/{id}', 'Delete a task for good (audited with its before-image)', write('tasks:delete')),
];
