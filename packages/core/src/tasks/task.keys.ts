/**
 * Every key of the task entity, defined once and tested offline (test/unit/tasks/task-keys.test.ts).
 * Tenant first in every partition key, GSI keys included. See docs/data-model.md (Tasks).
 */
import type { Item, ItemKey } from '../ports/table-store.port';
import type { Task, TaskStatus } from './task.schema';

export const TASK_SK = 'TASK';
export const TASK_ENTITY = 'task';
/** Timer kind of a task's pending reminder (handler: task-timers.ts). */
export const TASK_REMINDER_TIMER = 'task-reminder';

const tenantPrefix = (tenantId: string) => `T#${tenantId}`;
/** Record-index sort keys start with the status rank, so open tasks come first and a status is one prefix. */
const STATUS_RANK: Record<TaskStatus, string> = { open: '0', done: '1' };

export const taskKeys = {
  task: (tenantId: string, id: string): ItemKey => ({ pk: `${tenantPrefix(tenantId)}#TASK#${id}`, sk: TASK_SK }),
  /** gsi1: one assignee's tasks of one status, by due time ("my open tasks"; overdue = sort key < now). */
  byAssignee: (tenantId: string, assigneeId: string, status: TaskStatus) =>
    `${tenantPrefix(tenantId)}#TASKS#ASSIGNEE#${assigneeId}#${status === 'open' ? 'OPEN' : 'DONE'}`,
  /** gsi2: the tasks of one customer. */
  byCustomer: (tenantId: string, customerId: string) => `${tenantPrefix(tenantId)}#TASKS#CUSTOMER#${customerId}`,
  /** gsi3: the tasks of one deal. */
  byDeal: (tenantId: string, dealId: string) => `${tenantPrefix(tenantId)}#TASKS#DEAL#${dealId}`,
  /** gsi1 sort key: `<dueAt>#<id>` (dueAt is fixed-width ISO UTC, so string order is time order). */
  dueSortKey: (dueAt: string, id: string) => `${dueAt}#${id}`,
  /** gsi2/gsi3 sort key: `<status rank>#<dueAt>#<id>`. */
  recordSortKey: (status: TaskStatus, dueAt: string, id: string) => `${STATUS_RANK[status]}#${dueAt}#${id}`,
  /** Sort-key prefix of one status on gsi2/gsi3. */
  statusPrefix: (status: TaskStatus) => `${STATUS_RANK[status]}#`,
};

/** Index attributes of a task item: every task is in its assignee's list of its status and in its records' lists. */
export function taskIndexAttributes(tenantId: string, t: Pick<Task, 'id' | 'assigneeId' | 'status' | 'dueAt' | 'customerId' | 'dealId'>): Partial<Item> {
  const recordSk = taskKeys.recordSortKey(t.status, t.dueAt, t.id);
  return {
    gsi1pk: taskKeys.byAssignee(tenantId, t.assigneeId, t.status),
    gsi1sk: taskKeys.dueSortKey(t.dueAt, t.id),
    ...(t.customerId ? { gsi2pk: taskKeys.byCustomer(tenantId, t.customerId), gsi2sk: recordSk } : {}),
    ...(t.dealId ? { gsi3pk: taskKeys.byDeal(tenantId, t.dealId), gsi3sk: recordSk } : {}),
  };
}

/**
 * The timers a task carries: a pending reminder while it is open and not yet reminded
 * (`timers: { 'task-reminder': remindAt }`), none otherwise — so completing clears it and a moved
 * reminder moves it, whatever wrote the item.
 */
export function taskTimers(t: Pick<Task, 'status' | 'remindAt' | 'remindedAt'>): Record<string, string> | undefined {
  return t.status === 'open' && !t.remindedAt ? { [TASK_REMINDER_TIMER]: t.remindAt } : undefined;
}
