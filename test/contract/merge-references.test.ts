import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createCustomer, CreateCustomerInput, createNote, CreateNoteInput, createOrder, CreateOrderInput, createTask, CreateTaskInput, getOrderStats,
  listCustomerNotes, ListNotesQuery, listOrders, ListOrdersQuery, listTasks, ListTasksQuery, mergeCustomers, MergeCustomersInput, undoMerge,
  type CustomerDeps,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext as ctx, fixedClock, stores, testEncryptor } from '../support/use-case-harness';

/** A merge carries the merged customers' notes, tasks and orders (and order totals) to the survivor; an undo takes them back. */
let deps: CustomerDeps;
const customer = async (name: string) => (await createCustomer(deps, ctx(), CreateCustomerInput.parse({ kind: 'person', name }))).customer;

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('merge moves related records on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]();
  });
  beforeEach(async () => {
    deps = { store: await stores[adapter](), clock: fixedClock, ids: ulidGenerator(), encryptor: testEncryptor };
  });

  it('notes, tasks, orders and order stats follow the survivor, and come back on undo', async () => {
    const a = await customer('Survivor');
    const b = await customer('Merged');
    await createNote(deps, ctx(), { customerId: b.id }, CreateNoteInput.parse({ body: '<p>call back</p>' }));
    await createTask(deps, ctx(), CreateTaskInput.parse({ title: 'Follow up', dueAt: '2026-12-01T09:00:00Z', customerId: b.id }));
    const order = (o: Record<string, unknown>) => createOrder(deps, ctx(), CreateOrderInput.parse({ status: 'paid', orderedAt: '2026-11-01T00:00:00Z', currency: 'CNY', ...o }));
    await order({ customerId: a.id, amount: 100 });
    await order({ customerId: b.id, amount: 50.5 });
    await order({ customerId: b.id, amount: 20, currency: 'USD' });

    const notes = async (id: string) => (await listCustomerNotes(deps, ctx(), id, ListNotesQuery.parse({}))).items.length;
    const tasks = async (id: string) => (await listTasks(deps, ctx(), ListTasksQuery.parse({ customerId: id }))).items.length;
    const orders = async (id: string) => (await listOrders(deps, ctx(), ListOrdersQuery.parse({ customerId: id }))).items.length;
    const stats = async (id: string) => (await getOrderStats(deps, ctx(), id)).currencies;

    const { mergeId } = await mergeCustomers(deps, ctx(), MergeCustomersInput.parse({ survivorId: a.id, mergeIds: [b.id] }));
    expect(await notes(a.id)).toBe(1);
    expect(await tasks(a.id)).toBe(1);
    expect(await orders(a.id)).toBe(3);
    expect(await stats(a.id)).toMatchObject({ CNY: { paidCount: 2, paidAmount: 150.5 }, USD: { paidCount: 1, paidAmount: 20 } });

    await undoMerge(deps, ctx(), mergeId);
    expect(await tasks(a.id)).toBe(0);
    expect(await tasks(b.id)).toBe(1);
    expect(await orders(a.id)).toBe(1);
    expect(await orders(b.id)).toBe(2);
    expect(await stats(a.id)).toEqual({ CNY: expect.objectContaining({ paidCount: 1, paidAmount: 100 }) });
    expect(await stats(b.id)).toMatchObject({ CNY: { paidCount: 1, paidAmount: 50.5 }, USD: { paidCount: 1, paidAmount: 20 } });
    expect(await notes(b.id)).toBe(1);
    expect(await notes(a.id)).toBe(0);
  });
});
