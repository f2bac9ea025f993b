import { actorOf } from '../customers/customer.repository';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import type { Item, TableStore, TransactOperation } from '../ports/table-store.port';
import { notFound } from '../errors';
import type { RequestContext } from '../principal';
import type { AccessPolicy, SecuredContext } from '../access/access-policy';
import { canSeeRecord } from '../access/data-scope';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import { assertIfMatchVersion } from '../shared/etag';
import { pickFields } from '../shared/pick-fields';
import { transactVersioned } from '../shared/versioned-write';
import { TASK_ENTITY, taskIndexAttributes, taskKeys, taskTimers } from './task.keys';
import type { Task } from './task.schema';

/** What the task use cases depend on (ports only). */
export interface TaskDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
}

/** Data-domain resource name of tasks (shares are `task:<id>` grants). */
export const TASK_RESOURCE = 'task';

const RECORD_FIELDS = [
  'id', 'title', 'description', 'dueAt', 'remindAt', 'assigneeId', 'customerId', 'dealId', 'priority', 'status', 'orgPath',
  'completedAt', 'completedBy', 'remindedAt', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy',
] as const satisfies readonly (keyof Task)[];

/** The stored item of a task: keys, index attributes, its timers (pending reminder) and the record. */
export function toTaskItem(tenantId: string, t: Task): Item {
  const timers = taskTimers(t);
  return {
    ...taskKeys.task(tenantId, t.id),
    ...taskIndexAttributes(tenantId, t),
    entity: TASK_ENTITY,
    tenantId,
    ...(timers ? { timers } : {}),
    ...t,
  };
}

/** The API record of a stored item: record fields only, never keys, timers or tenant. */
export function toTask(item: Item): Task {
  return pickFields<Task>(item, RECORD_FIELDS);
}

/** Loads a task with a strongly consistent read; undefined when absent. */
export async function loadTask(store: TableStore, tenantId: string, id: string): Promise<Task | undefined> {
  const item = await store.get(taskKeys.task(tenantId, id), { consistent: true });
  return item ? toTask(item) : undefined;
}

/**
 * Data-domain rule of tasks: the assignee and the creator always see it; others by their role's
 * data scope on the task's org path (and `task:<id>` shares), as for customers with
 * ownerId = assigneeId.
 */
export function canSeeTask(access: AccessPolicy, t: Pick<Task, 'id' | 'assigneeId' | 'createdBy' | 'orgPath'>): boolean {
  if (t.createdBy === actorOf(access.principal)) return true;
  return canSeeRecord(access, TASK_RESOURCE, { id: t.id, ownerId: t.assigneeId, orgPath: t.orgPath });
}

/** A task the caller may see, or 404 (a task outside the caller's domain is indistinguishable from none). */
export async function requireVisibleTask(store: TableStore, ctx: SecuredContext, id: string): Promise<Task> {
  const t = await loadTask(store, ctx.principal.tenantId, id);
  if (!t || !canSeeTask(ctx.access, t)) throw notFound(`Task ${id}`);
  return t;
}

/** Who did it, as recorded in createdBy/updatedBy/completedBy (the customers module's rule). */
export { actorOf };

export function assertTaskIfMatch(ifMatch: string, current: Task): void {
  assertIfMatchVersion(ifMatch, current.version, 'The task');
}

/** The audit record of a task change (field-level changes; a delete keeps the before-image). */
export function taskAuditOperation(
  deps: Pick<TaskDeps, 'clock' | 'ids'>,
  ctx: RequestContext,
  action: string,
  before: Task | undefined,
  after: Task | undefined,
  options: { keepBefore?: boolean } = {},
): TransactOperation {
  return auditPutOperation(auditEntryFrom(ctx, {
    action, resource: TASK_RESOURCE, resourceId: (after ?? before)!.id,
    changes: diffChanges(before as Record<string, unknown> | undefined, after as Record<string, unknown> | undefined),
    ...(options.keepBefore && before ? { before: before as Record<string, unknown> } : {}),
  }, deps.clock, deps.ids));
}

/**
 * Writes a new version of a task; the first operation (the task put or delete) is made conditional
 * on the version that was read, so a concurrent writer turns into 412 (or 404 when it vanished).
 */
export async function writeTaskVersioned(
  store: TableStore,
  tenantId: string,
  read: Task,
  operations: [TransactOperation & { type: 'put' | 'delete' }, ...TransactOperation[]],
): Promise<void> {
  operations[0].condition = { kind: 'equals', attribute: 'version', value: read.version };
  await transactVersioned(store, operations, 'Task', read.id, () => loadTask(store, tenantId, read.id));
}
