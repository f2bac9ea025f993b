import { AppError } from '../errors';
import { assertWritable, type SecuredContext } from '../access/access-policy';
import { requireVisibleCustomer, requestHash } from '../customers/customer.repository';
import { requireVisibleDeal } from '../deals/deal.repository';
import { createIdempotently } from '../idempotency/idempotency';
import type { TransactOperation } from '../ports/table-store.port';
import {
  actorOf, assertTaskIfMatch, requireVisibleTask, taskAuditOperation, toTaskItem, writeTaskVersioned, type TaskDeps,
} from './task.repository';
import { taskKeys } from './task.keys';
import type { CreateTaskInput, Task, UpdateTaskInput } from './task.schema';

const IDEMPOTENCY_SCOPE = 'create-task';

export interface CreateTaskResult {
  task: Task;
  /** True when this answers a retried request with the stored response of the first one. */
  replayed: boolean;
}

/**
 * Creates an open task. Assignee defaults to the calling user; the reminder defaults to the due
 * time and carries a `task-reminder` timer. The task belongs to the creator's org unit for data
 * scoping. The task, its audit record and (with an Idempotency-Key) the stored response are one
 * transaction.
 */
export async function createTask(
  deps: TaskDeps,
  ctx: SecuredContext,
  input: CreateTaskInput,
  options: { idempotencyKey?: string; rawBody?: unknown } = {},
): Promise<CreateTaskResult> {
  const { tenantId } = ctx.principal;
  const idem = options.idempotencyKey;
  const request = idem ? { key: idem, hash: requestHash(options.rawBody ?? input) } : undefined;
  const { response, replayed } = await createIdempotently<Task>(deps.store, tenantId, IDEMPOTENCY_SCOPE, request, async () => {
    assertWritable(ctx.access, 'tasks', (options.rawBody ?? input) as Record<string, unknown>);
    const assigneeId = input.assigneeId ?? (ctx.principal.kind === 'user' ? ctx.principal.subject : undefined);
    if (!assigneeId) throw invalid('body.assigneeId', 'required for client credentials', 'A task needs an assignee');
    const remindAt = input.remindAt ?? input.dueAt;
    assertReminderBeforeDue(remindAt, input.dueAt);
    if (input.customerId) await assertVisibleCustomer(deps, ctx, input.customerId);
    if (input.dealId) await assertVisibleDeal(deps, ctx, input.dealId);

    const now = deps.clock.now();
    const actor = actorOf(ctx.principal);
    const task: Task = {
      id: deps.ids.next(),
      title: input.title,
      ...(input.description !== undefined ? { description: input.description } : {}),
      dueAt: input.dueAt,
      remindAt,
      assigneeId,
      ...(input.customerId ? { customerId: input.customerId } : {}),
      ...(input.dealId ? { dealId: input.dealId } : {}),
      priority: input.priority,
      status: 'open',
      orgPath: ctx.principal.orgPath ?? '/',
      version: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      createdBy: actor,
      updatedBy: actor,
    };
    const operations: TransactOperation[] = [
      { type: 'put', item: toTaskItem(tenantId, task), condition: { kind: 'notExists' } },
      taskAuditOperation(deps, ctx, 'tasks:create', undefined, task),
    ];
    return { operations, response: { status: 201, body: task }, now };
  });
  return { task: response.body, replayed };
}

/** One task the caller may see (404 otherwise, also for another tenant's id). */
export async function getTask(deps: Pick<TaskDeps, 'store'>, ctx: SecuredContext, id: string): Promise<Task> {
  return requireVisibleTask(deps.store, ctx, id);
}

/**
 * Applies a JSON merge patch under optimistic locking (If-Match required). Moving the due time or
 * the reminder re-arms the reminder (clears `remindedAt`, moves the timer).
 */
export async function updateTask(deps: TaskDeps, ctx: SecuredContext, id: string, patch: UpdateTaskInput, ifMatch: string | undefined): Promise<Task> {
  if (!ifMatch) throw new AppError('precondition_required', 'Send the ETag you read as If-Match');
  const { tenantId } = ctx.principal;
  const current = await requireVisibleTask(deps.store, ctx, id);
  assertWritable(ctx.access, 'tasks', patch as Record<string, unknown>);
  assertTaskIfMatch(ifMatch, current);
  if (patch.customerId && patch.customerId !== current.customerId) await assertVisibleCustomer(deps, ctx, patch.customerId);
  if (patch.dealId && patch.dealId !== current.dealId) await assertVisibleDeal(deps, ctx, patch.dealId);
  const next = applyTaskPatch(current, patch);
  const updated: Task = { ...next, version: current.version + 1, updatedAt: deps.clock.now().toISOString(), updatedBy: actorOf(ctx.principal) };
  await writeTaskVersioned(deps.store, tenantId, current, [
    { type: 'put', item: toTaskItem(tenantId, updated) },
    taskAuditOperation(deps, ctx, 'tasks:update', current, updated),
  ]);
  return updated;
}

/** Marks an open task done (it leaves the open lists; a pending reminder is cleared). If-Match honoured when sent. */
export async function completeTask(deps: TaskDeps, ctx: SecuredContext, id: string, ifMatch?: string): Promise<Task> {
  return changeStatus(deps, ctx, id, ifMatch, 'done');
}

/** Opens a done task again (back in the open lists; its reminder is re-armed unless it already fired). */
export async function reopenTask(deps: TaskDeps, ctx: SecuredContext, id: string, ifMatch?: string): Promise<Task> {
  return changeStatus(deps, ctx, id, ifMatch, 'open');
}

async function changeStatus(deps: TaskDeps, ctx: SecuredContext, id: string, ifMatch: string | undefined, status: Task['status']): Promise<Task> {
  const { tenantId } = ctx.principal;
  const current = await requireVisibleTask(deps.store, ctx, id);
  if (ifMatch) assertTaskIfMatch(ifMatch, current);
  if (current.status === status) throw new AppError('conflict', `Task ${id} is already ${status}`);
  const now = deps.clock.now().toISOString();
  const actor = actorOf(ctx.principal);
  const { completedAt: _at, completedBy: _by, ...rest } = current;
  const changed: Task = status === 'done'
    ? { ...current, status, completedAt: now, completedBy: actor, version: current.version + 1, updatedAt: now, updatedBy: actor }
    : { ...rest, status, version: current.version + 1, updatedAt: now, updatedBy: actor };
  await writeTaskVersioned(deps.store, tenantId, current, [
    { type: 'put', item: toTaskItem(tenantId, changed) },
    taskAuditOperation(deps, ctx, status === 'done' ? 'tasks:complete' : 'tasks:reopen', current, changed),
  ]);
  return changed;
}

/**
 * Deletes a task for good (tasks have no trash): the item and with it its index entries and timer
 * go; the audit record keeps the before-image. If-Match honoured when sent.
 */
export async function deleteTask(deps: TaskDeps, ctx: SecuredContext, id: string, ifMatch?: string): Promise<void> {
  const { tenantId } = ctx.principal;
  const current = await requireVisibleTask(deps.store, ctx, id);
  if (ifMatch) assertTaskIfMatch(ifMatch, current);
  await writeTaskVersioned(deps.store, tenantId, current, [
    { type: 'delete', key: taskKeys.task(tenantId, current.id) },
    taskAuditOperation(deps, ctx, 'tasks:delete', current, undefined, { keepBefore: true }),
  ]);
}

/** RFC 7396 merge of a patch into a task; validates the reminder against the due time. */
export function applyTaskPatch(current: Task, patch: UpdateTaskInput): Task {
  const next: Task = { ...current };
  if (patch.title !== undefined) next.title = patch.title;
  if (patch.priority !== undefined) next.priority = patch.priority;
  if (patch.assigneeId !== undefined) next.assigneeId = patch.assigneeId;
  if (patch.description !== undefined) {
    if (patch.description === null) delete next.description;
    else next.description = patch.description;
  }
  if (patch.customerId !== undefined) {
    if (patch.customerId === null) delete next.customerId;
    else next.customerId = patch.customerId;
  }
  if (patch.dealId !== undefined) {
    if (patch.dealId === null) delete next.dealId;
    else next.dealId = patch.dealId;
  }
  next.dueAt = patch.dueAt ?? current.dueAt;
  if (patch.remindAt === null) next.remindAt = next.dueAt;
  else if (patch.remindAt !== undefined) next.remindAt = patch.remindAt;
  else if (patch.dueAt !== undefined) {
    // Moving only the due time keeps the reminder's lead time ("remind me an hour before").
    const lead = Date.parse(current.dueAt) - Date.parse(current.remindAt);
    next.remindAt = new Date(Date.parse(next.dueAt) - lead).toISOString();
  }
  assertReminderBeforeDue(next.remindAt, next.dueAt);
  if (next.dueAt !== current.dueAt || next.remindAt !== current.remindAt) delete next.remindedAt;
  return next;
}

function assertReminderBeforeDue(remindAt: string, dueAt: string): void {
  if (Date.parse(remindAt) > Date.parse(dueAt)) throw invalid('body.remindAt', 'must not be after dueAt', 'The reminder must not be after the due time');
}

/** A related customer must exist and be visible to the caller; otherwise the reference is invalid. */
async function assertVisibleCustomer(deps: Pick<TaskDeps, 'store'>, ctx: SecuredContext, customerId: string): Promise<void> {
  try {
    await requireVisibleCustomer(deps.store, ctx, customerId);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') throw invalid('body.customerId', 'no such customer', `Customer ${customerId} does not exist`);
    throw error;
  }
}

/** A related deal must exist (not deleted) and be visible to the caller. */
async function assertVisibleDeal(deps: Pick<TaskDeps, 'store'>, ctx: SecuredContext, dealId: string): Promise<void> {
  try {
    await requireVisibleDeal(deps.store, ctx, dealId);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') throw invalid('body.dealId', 'no such deal', `Deal ${dealId} does not exist`);
    throw error;
  }
}

function invalid(path: string, message: string, detail: string): AppError {
  return new AppError('validation_failed', detail, { errors: [{ path, message }] });
}
