import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  auditKeys, completeTask, createCustomer, CreateCustomerInput, createDeal, CreateDealInput, createPipeline, PipelineInput, createTask, CreateTaskInput, deleteTask, getTask, listTasks, ListTasksQuery,
  remindTask, reopenTask, taskKeys, TASK_REMINDER_TIMER, updateTask, UpdateTaskInput,
  type Clock, type DueTimer, type SecuredContext, type TableStore, type TaskDeps,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext, errorCode as code, fixedClock as clock, stores, testEncryptor as encryptor } from '../support/use-case-harness';

// Task use cases and the reminder timer handler against both real stores (in-memory SQLite,
// DynamoDB Local) with a fixed clock (2026-11-25T10:00Z): no mocks of the thing under test.
let deps: TaskDeps;
const admin = (subject = 'alice') => adminContext('acme', subject);

/** A sales rep (subtree scope) of one org unit, with the default sales permissions on tasks. */
function rep(subject: string, orgPath: string, tenantId = 'acme'): SecuredContext {
  const principal = { tenantId, kind: 'user' as const, subject, roles: ['sales'], scopes: [], orgPath };
  return { principal, requestId: 'req-rep', access: { principal, permissions: ['tasks:read', 'tasks:create', 'tasks:update', 'customers:read', 'customers:create'], dataScope: 'subtree', fields: {}, shares: new Set() } };
}

const create = (ctx: SecuredContext, o: Record<string, unknown>) => createTask(deps, ctx, CreateTaskInput.parse(o));
const list = async (ctx: SecuredContext, q: Record<string, unknown> = {}) => (await listTasks(deps, ctx, ListTasksQuery.parse(q))).items.map((t) => t.title);
const stored = (store: TableStore, id: string) => store.get(taskKeys.task('acme', id), { consistent: true });
const timerOf = (id: string, dueAt: string): DueTimer => ({ tenantId: 'acme', key: taskKeys.task('acme', id), kind: TASK_REMINDER_TIMER, dueAt });
const laterClock: Clock = { now: () => new Date('2026-11-25T11:00:00.000Z') };

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('task use cases on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]!(); // start the backend once per suite, outside the per-test timeout
  });
  beforeEach(async () => {
    deps = { store: await stores[adapter]!(), clock, ids: ulidGenerator() };
  });

  it('creates an open task for the caller, reminder at the due time, with a timer and an audit record', async () => {
    const { task } = await create(rep('bob', '/hq/east'), { title: ' Call back ', dueAt: '2026-11-26T10:00:00+08:00' });
    expect(task).toMatchObject({
      title: 'Call back', dueAt: '2026-11-26T02:00:00.000Z', remindAt: '2026-11-26T02:00:00.000Z', assigneeId: 'bob', priority: 'normal',
      status: 'open', orgPath: '/hq/east', version: 1, createdBy: 'bob', createdAt: '2026-11-25T10:00:00.000Z',
    });
    expect((await stored(deps.store, task.id))?.timers).toEqual({ 'task-reminder': '2026-11-26T02:00:00.000Z' });
    const audit = await deps.store.query({ index: 'gsi1', partition: auditKeys.byResource('acme', 'task', task.id), limit: 10 });
    expect(audit.items.map((a) => a.action)).toEqual(['tasks:create']);
  });

  it('refuses a reminder after the due time, an unknown or invisible customer, and a client without an assignee', async () => {
    expect(await code(create(admin(), { title: 'x', dueAt: '2026-11-26T10:00:00Z', remindAt: '2026-11-26T10:00:01Z' }))).toBe('validation_failed');
    expect(await code(create(admin(), { title: 'x', dueAt: '2026-11-26T10:00:00Z', customerId: '01J9ZQ4V7Y8K3M2N1P0R5S6T7V' }))).toBe('validation_failed');
    const west = (await createCustomer({ ...deps, encryptor }, rep('wendy', '/hq/west'), CreateCustomerInput.parse({ kind: 'company', name: 'West Co' }))).customer;
    expect(await code(create(rep('bob', '/hq/east'), { title: 'x', dueAt: '2026-11-26T10:00:00Z', customerId: west.id }))).toBe('validation_failed');
    const client = { ...admin(), principal: { ...admin().principal, kind: 'client' as const, subject: 'erp' } };
    expect(await code(create(client, { title: 'x', dueAt: '2026-11-26T10:00:00Z' }))).toBe('validation_failed');
    expect(await code(create(client, { title: 'x', dueAt: '2026-11-26T10:00:00Z', assigneeId: 'bob' }))).toBe('ok');
    expect(await list(admin('bob'))).toEqual(['x']);
  });

  it('updates under If-Match; moving the due time keeps the reminder lead time and moves the timer', async () => {
    const { task } = await create(admin(), { title: 'Quote', dueAt: '2026-11-26T10:00:00Z', remindAt: '2026-11-26T09:00:00Z' });
    expect(await code(updateTask(deps, admin(), task.id, UpdateTaskInput.parse({ title: 'y' }), undefined))).toBe('precondition_required');
    expect(await code(updateTask(deps, admin(), task.id, UpdateTaskInput.parse({ title: 'y' }), '"7"'))).toBe('precondition_failed');
    const moved = await updateTask(deps, admin(), task.id, UpdateTaskInput.parse({ dueAt: '2026-11-27T10:00:00Z', description: 'bring the price list' }), '"1"');
    expect(moved).toMatchObject({ version: 2, dueAt: '2026-11-27T10:00:00.000Z', remindAt: '2026-11-27T09:00:00.000Z', description: 'bring the price list' });
    expect((await stored(deps.store, task.id))?.timers).toEqual({ 'task-reminder': '2026-11-27T09:00:00.000Z' });
    const reset = await updateTask(deps, admin(), task.id, UpdateTaskInput.parse({ remindAt: null, description: null }), '"2"');
    expect(reset.remindAt).toBe('2026-11-27T10:00:00.000Z');
    expect(reset.description).toBeUndefined();
    expect(await code(updateTask(deps, admin(), task.id, UpdateTaskInput.parse({ remindAt: '2026-11-28T00:00:00Z' }), '"3"'))).toBe('validation_failed');
  });

  it('lets exactly one of two concurrent updates of the same version win', async () => {
    const { task } = await create(admin(), { title: 'Race', dueAt: '2026-11-26T10:00:00Z' });
    const outcomes = await Promise.all([
      code(updateTask(deps, admin(), task.id, UpdateTaskInput.parse({ title: 'First' }), '"1"')),
      code(updateTask(deps, admin(), task.id, UpdateTaskInput.parse({ priority: 'high' }), '"1"')),
    ]);
    expect(outcomes.sort()).toEqual(['ok', 'precondition_failed']);
    expect((await getTask(deps, admin(), task.id)).version).toBe(2);
  });

  it('lists my open tasks by due time, overdue ones as a range, and moves completed ones to the done list', async () => {
    const me = rep('bob', '/hq/east');
    const later = (await create(me, { title: 'Later', dueAt: '2026-11-27T09:00:00Z' })).task;
    const late = (await create(me, { title: 'Late', dueAt: '2026-11-25T09:00:00Z' })).task;
    await create(me, { title: 'Due now', dueAt: '2026-11-25T10:00:00Z' });
    await create(me, { title: 'Older', dueAt: '2026-11-24T09:00:00Z' });
    await create(rep('carol', '/hq/east'), { title: 'Carol', dueAt: '2026-11-20T09:00:00Z' });

    expect(await list(me)).toEqual(['Older', 'Late', 'Due now', 'Later']);
    expect(await list(me, { assignee: 'me', status: 'open' })).toEqual(['Older', 'Late', 'Due now', 'Later']);
    expect(await list(me, { overdue: 'true' })).toEqual(['Older', 'Late']);

    const done = await completeTask(deps, me, late.id);
    expect(done).toMatchObject({ status: 'done', completedAt: '2026-11-25T10:00:00.000Z', completedBy: 'bob', version: 2 });
    expect((await stored(deps.store, late.id))?.timers).toBeUndefined();
    expect(await code(completeTask(deps, me, late.id))).toBe('conflict');
    expect(await list(me, { overdue: 'true' })).toEqual(['Older']);
    expect(await list(me, { status: 'done' })).toEqual(['Late']);

    const reopened = await reopenTask(deps, me, late.id, '"2"');
    expect(reopened).toMatchObject({ status: 'open', version: 3 });
    expect(reopened.completedAt).toBeUndefined();
    expect((await stored(deps.store, late.id))?.timers).toEqual({ 'task-reminder': '2026-11-25T09:00:00.000Z' });
    expect(await list(me, { overdue: 'true' })).toEqual(['Older', 'Late']);
    expect(await code(reopenTask(deps, me, later.id))).toBe('conflict');

    // Another assignee's list: a teammate in the same unit sees it (subtree scope); a manager of another unit does not.
    expect(await list(me, { assignee: 'carol', overdue: 'true' })).toEqual(['Carol']);
    expect(await list(rep('walt', '/hq/west'), { assignee: 'carol' })).toEqual([]);
    expect(await code(listTasks(deps, me, ListTasksQuery.parse({ overdue: 'true', status: 'done' })))).toBe('validation_failed');
  });

  it('pages with a cursor bound to the list', async () => {
    const me = rep('bob', '/hq/east');
    for (let day = 1; day <= 5; day += 1) await create(me, { title: `T${day}`, dueAt: `2026-12-0${day}T09:00:00Z` });
    const first = await listTasks(deps, me, ListTasksQuery.parse({ limit: '2' }));
    expect(first.items.map((t) => t.title)).toEqual(['T1', 'T2']);
    const second = await listTasks(deps, me, ListTasksQuery.parse({ limit: '2', after: first.next }));
    expect(second.items.map((t) => t.title)).toEqual(['T3', 'T4']);
    const third = await listTasks(deps, me, ListTasksQuery.parse({ limit: '2', after: second.next }));
    expect(third.items.map((t) => t.title)).toEqual(['T5']);
    expect(await code(listTasks(deps, me, ListTasksQuery.parse({ status: 'done', after: first.next })))).toBe('invalid_cursor');
    expect(await code(listTasks(deps, rep('bob', '/hq/east', 'other'), ListTasksQuery.parse({ after: first.next })))).toBe('invalid_cursor');
  });

  it("lists a customer's and a deal's tasks, open first, each status by due time", async () => {
    const me = rep('bob', '/hq/east');
    const customer = (await createCustomer({ ...deps, encryptor }, me, CreateCustomerInput.parse({ kind: 'company', name: 'East Co' }))).customer;
    const pipeline = await createPipeline(deps, adminContext(), PipelineInput.parse({ name: 'P', stages: [{ key: 'lead', name: 'Lead', probability: 10 }, { key: 'won', name: 'Won', probability: 100, outcome: 'won' }] }));
    const deal = (await createDeal(deps, me, CreateDealInput.parse({ name: 'East deal', currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id }))).id;
    // A deal that does not exist (or that the caller cannot see) is refused.
    expect(await code(create(me, { title: 'X', dueAt: '2026-11-25T08:00:00Z', dealId: '01M88YXTM21CZ7JVBVVX0B5CPY' }))).toBe('validation_failed');
    const a = (await create(me, { title: 'A', dueAt: '2026-11-25T08:00:00Z', customerId: customer.id, dealId: deal })).task;
    await create(me, { title: 'B', dueAt: '2026-11-28T08:00:00Z', customerId: customer.id });
    await create(rep('carol', '/hq/east'), { title: 'C', dueAt: '2026-11-24T08:00:00Z', customerId: customer.id });
    await create(me, { title: 'D', dueAt: '2026-11-29T08:00:00Z', dealId: deal });
    await completeTask(deps, me, a.id);

    expect(await list(me, { customerId: customer.id })).toEqual(['C', 'B', 'A']);
    expect(await list(me, { customerId: customer.id, status: 'open' })).toEqual(['C', 'B']);
    expect(await list(me, { customerId: customer.id, status: 'done' })).toEqual(['A']);
    expect(await list(me, { customerId: customer.id, overdue: 'true' })).toEqual(['C']);
    expect(await list(me, { customerId: customer.id, assignee: 'me' })).toEqual(['B', 'A']);
    expect(await list(me, { dealId: deal })).toEqual(['D', 'A']);
    // The customer must be visible: another unit's rep gets 404, not an empty list.
    expect(await code(listTasks(deps, rep('walt', '/hq/west'), ListTasksQuery.parse({ customerId: customer.id })))).toBe('not_found');
    expect(await list(rep('walt', '/hq/west'), { dealId: deal })).toEqual([]);
  });

  it("hides a task from another unit's rep (404) but shows it to its assignee, its creator and the unit", async () => {
    const { task } = await create(rep('bob', '/hq/east'), { title: 'Private', dueAt: '2026-11-26T10:00:00Z', assigneeId: 'wendy' });
    expect(await code(getTask(deps, rep('walt', '/hq/west'), task.id))).toBe('not_found');
    expect(await code(completeTask(deps, rep('walt', '/hq/west'), task.id))).toBe('not_found');
    expect(await code(getTask(deps, rep('wendy', '/hq/west'), task.id))).toBe('ok'); // assignee
    expect(await code(getTask(deps, rep('bob', '/hq/east/team1'), task.id))).toBe('ok'); // creator, wherever
    expect(await code(getTask(deps, rep('erin', '/hq/east'), task.id))).toBe('ok'); // the task's unit
    const own = { ...rep('olga', '/hq/east'), access: { ...rep('olga', '/hq/east').access, dataScope: 'own' as const } };
    expect(await code(getTask(deps, own, task.id))).toBe('not_found');
    expect(await code(getTask(deps, adminContext('other'), task.id))).toBe('not_found');
    expect(await list(rep('wendy', '/hq/west'))).toEqual(['Private']);
  });

  it('deletes a task for good, keeping the before-image in the audit log', async () => {
    const { task } = await create(admin(), { title: 'Gone', dueAt: '2026-11-26T10:00:00Z' });
    expect(await code(deleteTask(deps, admin(), task.id, '"9"'))).toBe('precondition_failed');
    await deleteTask(deps, admin(), task.id, '"1"');
    expect(await stored(deps.store, task.id)).toBeUndefined();
    expect(await code(getTask(deps, admin(), task.id))).toBe('not_found');
    expect(await list(admin())).toEqual([]);
    const audit = await deps.store.query({ index: 'gsi1', partition: auditKeys.byResource('acme', 'task', task.id), limit: 10, forward: false });
    expect(audit.items[0]).toMatchObject({ action: 'tasks:delete', before: { title: 'Gone', version: 1 } });
  });

  describe('the task-reminder timer handler', () => {
    it('fires once: records remindedAt, drops the timer and bumps the version', async () => {
      const { task } = await create(admin(), { title: 'Remind', dueAt: '2026-11-25T12:00:00Z', remindAt: '2026-11-25T10:30:00Z' });
      await remindTask({ store: deps.store, clock: laterClock }, timerOf(task.id, '2026-11-25T10:30:00.000Z'));
      const item = await stored(deps.store, task.id);
      expect(item).toMatchObject({ remindedAt: '2026-11-25T11:00:00.000Z', version: 2, updatedBy: 'system:task-reminder', status: 'open' });
      expect(item?.timers).toBeUndefined();
      await remindTask({ store: deps.store, clock: { now: () => new Date('2026-11-25T11:05:00.000Z') } }, timerOf(task.id, '2026-11-25T10:30:00.000Z'));
      expect(await stored(deps.store, task.id)).toMatchObject({ remindedAt: '2026-11-25T11:00:00.000Z', version: 2 });
      const audit = await deps.store.query({ index: 'gsi1', partition: auditKeys.byResource('acme', 'task', task.id), limit: 10 });
      expect(audit.items.map((a) => a.action)).toEqual(['tasks:create', 'tasks:remind']);
      // An ETag from before the reminder is stale now; moving the reminder re-arms it.
      expect(await code(updateTask(deps, admin(), task.id, UpdateTaskInput.parse({ title: 'x' }), '"1"'))).toBe('precondition_failed');
      const moved = await updateTask(deps, admin(), task.id, UpdateTaskInput.parse({ remindAt: '2026-11-25T11:30:00Z' }), '"2"');
      expect(moved.remindedAt).toBeUndefined();
      expect((await stored(deps.store, task.id))?.timers).toEqual({ 'task-reminder': '2026-11-25T11:30:00.000Z' });
    });

    it('ignores a reminder that was moved meanwhile', async () => {
      const { task } = await create(admin(), { title: 'Moved', dueAt: '2026-11-25T12:00:00Z', remindAt: '2026-11-25T10:30:00Z' });
      await updateTask(deps, admin(), task.id, UpdateTaskInput.parse({ remindAt: '2026-11-25T11:30:00Z' }), '"1"');
      await remindTask({ store: deps.store, clock: laterClock }, timerOf(task.id, '2026-11-25T10:30:00.000Z'));
      const item = await stored(deps.store, task.id);
      expect(item).toMatchObject({ version: 2, timers: { 'task-reminder': '2026-11-25T11:30:00.000Z' } });
      expect(item?.remindedAt).toBeUndefined();
    });

    it('ignores a completed, a deleted and another tenant\'s task', async () => {
      const { task } = await create(admin(), { title: 'Done', dueAt: '2026-11-25T12:00:00Z' });
      await completeTask(deps, admin(), task.id);
      await remindTask({ store: deps.store, clock: laterClock }, timerOf(task.id, '2026-11-25T12:00:00.000Z'));
      expect(await stored(deps.store, task.id)).toMatchObject({ status: 'done', version: 2 });
      expect((await stored(deps.store, task.id))?.remindedAt).toBeUndefined();

      const gone = (await create(admin(), { title: 'Gone', dueAt: '2026-11-25T12:00:00Z' })).task;
      await deleteTask(deps, admin(), gone.id);
      await remindTask({ store: deps.store, clock: laterClock }, timerOf(gone.id, '2026-11-25T12:00:00.000Z'));
      expect(await stored(deps.store, gone.id)).toBeUndefined();

      const open = (await create(admin(), { title: 'Open', dueAt: '2026-11-25T12:00:00Z' })).task;
      await remindTask({ store: deps.store, clock: laterClock }, { ...timerOf(open.id, '2026-11-25T12:00:00.000Z'), tenantId: 'other' });
      expect((await stored(deps.store, open.id))?.remindedAt).toBeUndefined();
    });
  });
});
