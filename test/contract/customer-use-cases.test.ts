import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  claimCustomer, createCustomer, CreateCustomerInput, deleteCustomer, getCustomer, listCustomers, ListCustomersQuery, restoreCustomer,
  updateCustomer, type CustomerDeps,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext, errorCode, fixedClock as clock, stores, testEncryptor as encryptor } from '../support/use-case-harness';

// Use cases run against both real stores (in-memory SQLite, DynamoDB Local) and a fixed clock: no
// mocks of the thing under test. Each test gets a fresh table.
// Tenant-wide access: these tests are about storage behaviour; access rules have their own tests.
let deps: CustomerDeps;
const ctx = (tenantId = 'acme', subject = 'alice') => adminContext(tenantId, subject);
const code = errorCode;
const input = (o: Record<string, unknown>) => CreateCustomerInput.parse(o);

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('customer use cases on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]!(); // start the backend once per suite, outside the per-test timeout
  });
  beforeEach(async () => {
    deps = { store: await stores[adapter]!(), clock, ids: ulidGenerator(), encryptor };
  });

  it('stamps server-owned fields and defaults the owner to the calling user', async () => {
    const { customer } = await createCustomer(deps, ctx(), input({ kind: 'person', name: 'Li Na', tags: ['A', 'a'] }));
    expect(customer).toMatchObject({ version: 1, createdAt: '2026-11-25T10:00:00.000Z', createdBy: 'alice', ownerId: 'alice', tags: ['a'] });
    const partner = await createCustomer(deps, { ...ctx(), principal: { ...ctx().principal, kind: 'client', subject: 'erp' } }, input({ kind: 'person', name: 'Pool' }));
    expect(partner.customer).toMatchObject({ ownerId: null, createdBy: 'client:erp' });
  });

  it('lets exactly one of two concurrent updates of the same version win', async () => {
    const { customer } = await createCustomer(deps, ctx(), input({ kind: 'company', name: 'Race Co' }));
    const outcomes = await Promise.all([
      code(updateCustomer(deps, ctx(), customer.id, { name: 'First' }, '"1"')),
      code(updateCustomer(deps, ctx(), customer.id, { name: 'Second' }, '"1"')),
    ]);
    expect(outcomes.sort()).toEqual(['ok', 'precondition_failed']);
    const now = await getCustomer(deps, ctx(), customer.id);
    expect(now.version).toBe(2);
  });

  it('keeps tag items in step with renames, tag edits, deletes and restores', async () => {
    const { customer } = await createCustomer(deps, ctx(), input({ kind: 'person', name: 'Wang Fang', tags: ['x', 'y'] }));
    const byTag = async (tag: string) => (await listCustomers(deps, ctx(), ListCustomersQuery.parse({ tag }))).items.map((c) => c.name);
    await updateCustomer(deps, ctx(), customer.id, { name: 'Fang Wang', tags: ['y', 'z'] }, '"1"');
    expect([await byTag('x'), await byTag('y'), await byTag('z')]).toEqual([[], ['Fang Wang'], ['Fang Wang']]);
    await deleteCustomer(deps, ctx(), customer.id);
    expect(await byTag('y')).toEqual([]);
    await restoreCustomer(deps, ctx(), customer.id);
    expect(await byTag('y')).toEqual(['Fang Wang']);
    // Exactly one tag item per (tag, customer) remains in each tag partition, none in the old one.
    const count = async (tag: string) => (await deps.store.query({ partition: `T#acme#TAG#${tag}`, limit: 100 })).items.length;
    expect([await count('x'), await count('y'), await count('z')]).toEqual([0, 1, 1]);
  });

  it('writes nothing when a reference is invalid', async () => {
    expect(await code(createCustomer(deps, ctx(), input({ kind: 'person', name: 'Bad company', companyId: '01J9ZQ4V7Y8K3M2N1P0R5S6T7V' })))).toBe('validation_failed');
    expect((await listCustomers(deps, ctx(), ListCustomersQuery.parse({}))).items).toEqual([]);
  });

  it('lets exactly one of 20 concurrent claims win, on this store too', async () => {
    const { customer } = await createCustomer(deps, ctx(), input({ kind: 'company', name: 'Contended', ownerId: null }));
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => code(claimCustomer(deps, ctx('acme', `rep-${i}`), customer.id))));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'ok').every((o) => o === 'conflict')).toBe(true);
  });

  it('isolates tenants by key space', async () => {
    const { customer } = await createCustomer(deps, ctx('acme'), input({ kind: 'person', name: 'Secret' }));
    expect(await code(getCustomer(deps, ctx('globex'), customer.id))).toBe('not_found');
    expect(await code(updateCustomer(deps, ctx('globex'), customer.id, { name: 'x' }, '*'))).toBe('not_found');
    expect(await code(deleteCustomer(deps, ctx('globex'), customer.id))).toBe('not_found');
    expect((await listCustomers(deps, ctx('globex'), ListCustomersQuery.parse({}))).items).toEqual([]);
  });
});
