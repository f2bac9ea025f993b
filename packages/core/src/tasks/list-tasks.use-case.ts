import { AppError } from '../errors';
import type { SecuredContext } from '../access/access-policy';
import { requireVisibleCustomer } from '../customers/customer.repository';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { indexKeyAttributes, type IndexName, type QueryInput, type SortKeyCondition } from '../ports/table-store.port';
import { taskKeys } from './task.keys';
import { canSeeTask, toTask, type TaskDeps } from './task.repository';
import type { ListTasksQuery, Task, TaskPage } from './task.schema';

/** Index reads per request when the data domain or an assignee filter rejects items (bounds a page's cost). */
const MAX_ROUNDS = 5;

interface Plan {
  index: IndexName;
  partition: string;
  sortKey?: SortKeyCondition;
  residual: (t: Task) => boolean;
}

/**
 * Lists tasks, one cursor page at a time, each list one index Query (docs/data-model.md, Tasks):
 * - an assignee's tasks of one status by due time (gsi1; `assignee` defaults to the caller, status
 *   to open — "my open tasks"); `overdue=true` is the same Query with sort key < now;
 * - a customer's or a deal's tasks (gsi2 / gsi3), open first, each status by due time; `status`
 *   is a sort-key prefix, `overdue` a range of the open prefix, `assignee` a filter.
 * The caller's data domain is applied to every fetched task (another user's list shows only the
 * tasks the caller may see). A customer's tasks need the customer to be visible (404 otherwise).
 */
export async function listTasks(deps: Pick<TaskDeps, 'store' | 'clock'>, ctx: SecuredContext, q: ListTasksQuery): Promise<TaskPage> {
  const { tenantId } = ctx.principal;
  if (q.customerId && q.dealId) throw invalid('query.dealId', 'use either customerId or dealId', 'List the tasks of one record at a time');
  if (q.overdue && q.status === 'done') throw invalid('query.status', 'overdue tasks are open', 'overdue=true lists open tasks only');
  if (q.customerId) await requireVisibleCustomer(deps.store, ctx, q.customerId);

  const assignee = q.assignee === 'me' ? ctx.principal.subject : q.assignee;
  const now = deps.clock.now().toISOString();
  const plan = planQuery(tenantId, q, assignee ?? ctx.principal.subject, now);
  const fingerprint = queryFingerprint({ assignee, status: q.status, overdue: q.overdue, customerId: q.customerId, dealId: q.dealId, list: 'tasks' });
  let startAfter = q.after ? decodeTaskCursor(q.after, tenantId, fingerprint, plan) : undefined;

  const items: Task[] = [];
  for (let round = 0; round < MAX_ROUNDS && items.length < q.limit; round += 1) {
    const input: QueryInput = {
      index: plan.index, partition: plan.partition, limit: q.limit - items.length,
      ...(plan.sortKey ? { sortKey: plan.sortKey } : {}), ...(startAfter ? { startAfter } : {}),
    };
    const page = await deps.store.query(input);
    for (const item of page.items) {
      const task = toTask(item);
      if (plan.residual(task) && canSeeTask(ctx.access, task)) items.push(task);
    }
    startAfter = page.lastKey;
    if (!startAfter) break;
  }
  return { items, next: startAfter ? encodeCursor(tenantId, fingerprint, startAfter) : null };
}

function planQuery(tenantId: string, q: ListTasksQuery, assignee: string, now: string): Plan {
  if (q.customerId || q.dealId) {
    const byCustomer = q.customerId !== undefined;
    const open = taskKeys.statusPrefix('open');
    const sortKey: SortKeyCondition | undefined = q.overdue
      // Open keys `0#<dueAt>#<id>` up to `0#<now>`: due before now (a task due exactly now sorts after it).
      ? { between: [open, `${open}${now}`] }
      : q.status ? { beginsWith: taskKeys.statusPrefix(q.status) } : undefined;
    return {
      index: byCustomer ? 'gsi2' : 'gsi3',
      partition: byCustomer ? taskKeys.byCustomer(tenantId, q.customerId!) : taskKeys.byDeal(tenantId, q.dealId!),
      ...(sortKey ? { sortKey } : {}),
      residual: q.assignee ? (t) => t.assigneeId === assignee : () => true,
    };
  }
  return {
    index: 'gsi1',
    partition: taskKeys.byAssignee(tenantId, assignee, q.overdue ? 'open' : q.status ?? 'open'),
    // `<dueAt>#<id>` < `<now>` exactly when dueAt < now (a key due at now itself continues with `#`).
    ...(q.overdue ? { sortKey: { lt: now } } : {}),
    residual: () => true,
  };
}

/** A cursor must be one this list issued, and point into the partition this list reads. */
function decodeTaskCursor(cursor: string, tenantId: string, fingerprint: string, plan: Plan): Record<string, string> {
  const key = decodeCursor(cursor, tenantId, fingerprint, (value) => value.startsWith(`T#${tenantId}#`));
  if (key[indexKeyAttributes(plan.index).pk] !== plan.partition) {
    throw new AppError('invalid_cursor', 'The "after" cursor was not issued for this query; start again without it', {
      errors: [{ path: 'query.after', message: 'unknown or foreign cursor' }],
    });
  }
  return key;
}

function invalid(path: string, message: string, detail: string): AppError {
  return new AppError('validation_failed', detail, { errors: [{ path, message }] });
}
