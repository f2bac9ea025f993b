import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildFieldIndex, createCustomer, CreateCustomerInput, deleteCustomer, fieldRegistryKeys, listCustomers, ListCustomersRequestQuery, loadFieldDefinitions,
  putFieldDefinition, FieldDefinitionInput, uniqueValueHash, updateCustomer, type CustomerDeps, type TableStore,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext, errorCode, fixedClock as clock, stores, testEncryptor as encryptor } from '../support/use-case-harness';

// The index backfill of filterable/unique custom fields against both real stores, chunked small so
// continuation, checkpoints and paging are exercised. No mocks; each test gets a fresh table.
let deps: CustomerDeps;
const ctx = (tenantId = 'acme', subject = 'root') => adminContext(tenantId, subject);
const code = errorCode;

const field = (key: string, o: Record<string, unknown>, ifMatch?: string) => putFieldDefinition(deps, ctx(), 'customer', key, FieldDefinitionInput.parse(o), ifMatch);
const definition = async (key: string) => (await loadFieldDefinitions(deps.store, 'acme', 'customer')).find((d) => d.key === key)!;
const create = async (name: string, customFields: Record<string, unknown>) =>
  (await createCustomer(deps, ctx(), CreateCustomerInput.parse({ kind: 'company', name, customFields }))).customer;
/** Runs the consumer's work until the build settles, as successive stream deliveries would. */
async function buildUntilSettled(key: string, options = { pageSize: 2, maxPages: 1 }) {
  const outcomes: string[] = [];
  for (let i = 0; i < 50; i++) {
    const outcome = await buildFieldIndex(deps, 'acme', 'customer', key, options);
    outcomes.push(outcome.status);
    if (outcome.status !== 'continued') return outcomes;
  }
  throw new Error('the build did not settle');
}
/** Every page of a filtered list, following `next`. */
async function listAll(params: Record<string, string>, limit = '2') {
  const names: string[] = [];
  let after: string | undefined;
  let pages = 0;
  do {
    const page = await listCustomers(deps, ctx(), ListCustomersRequestQuery.parse({ ...params, limit, ...(after ? { after } : {}) }));
    names.push(...page.items.map((c) => c.name));
    after = page.next ?? undefined;
    pages++;
  } while (after && pages < 20);
  return names;
}

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('custom-field index build on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]!();
  });
  beforeEach(async () => {
    deps = { store: await stores[adapter]!(), clock, ids: ulidGenerator(), encryptor };
  });

  it('backfills existing records in checkpointed chunks without touching them, then answers equality and range filters with paging', async () => {
    await field('budget', { label: 'Budget', type: 'currency' });
    await field('level', { label: 'Level', type: 'enum', validation: { options: ['gold', 'silver'] } });
    const budgets: Record<string, number | undefined> = { Alpha: -20.5, Bravo: 0, Charlie: 0.5, Delta: 1200, Echo: 1e9, Foxtrot: 0.5, Golf: undefined };
    const ids: Record<string, string> = {};
    for (const [name, budget] of Object.entries(budgets)) {
      ids[name] = (await create(name, { ...(budget !== undefined ? { budget } : {}), level: name < 'D' ? 'gold' : 'silver' })).id;
    }
    const gone = await create('Hotel', { budget: 5, level: 'gold' });
    await deleteCustomer(deps, ctx(), gone.id);
    // Before the field is filterable, filters are refused (400), not answered from a partial index.
    expect(await code(listAll({ 'cf.budget.gte': '0' }))).toBe('validation_failed');

    const put = await field('budget', { label: 'Budget', type: 'currency', filterable: true }, '"1"');
    expect(put).toMatchObject({ filterable: true, indexState: 'building', indexGeneration: 2, version: 2 });
    expect(await code(listAll({ 'cf.budget.gte': '0' }))).toBe('conflict');
    const profileBefore = await deps.store.get({ pk: `T#acme#C#${ids.Delta}`, sk: 'PROFILE' });

    // One chunk: a checkpoint on the definition, its version (the admin's ETag) unchanged.
    expect(await buildFieldIndex(deps, 'acme', 'customer', 'budget', { pageSize: 3, maxPages: 1 })).toEqual({ status: 'continued', indexed: 3 });
    const checkpointed = await deps.store.get(fieldRegistryKeys.definition('acme', 'customer', 'budget'));
    expect(checkpointed).toMatchObject({ indexState: 'building', version: 2, indexCursor: expect.objectContaining({ gsi1pk: 'T#acme#CUST' }) });
    // A redelivery of the same chunk's trigger resumes from the checkpoint; the rest follows chunk by chunk.
    expect(await buildUntilSettled('budget', { pageSize: 3, maxPages: 1 })).toEqual(['continued', 'ready']);
    expect(await definition('budget')).toMatchObject({ indexState: 'ready', version: 2 });
    expect(await deps.store.get(fieldRegistryKeys.definition('acme', 'customer', 'budget'))).not.toHaveProperty('indexCursor');
    expect(await deps.store.get({ pk: `T#acme#C#${ids.Delta}`, sk: 'PROFILE' })).toEqual(profileBefore); // records are never rewritten
    expect(await buildFieldIndex(deps, 'acme', 'customer', 'budget')).toEqual({ status: 'skipped' });

    expect(await listAll({ 'cf.budget': '0.5' })).toEqual(['Charlie', 'Foxtrot']);
    expect(await listAll({ 'cf.budget': '0.50', namePrefix: 'f' })).toEqual(['Foxtrot']);
    expect(await listAll({ 'cf.budget.gte': '0' })).toEqual(['Bravo', 'Charlie', 'Foxtrot', 'Delta', 'Echo']); // value order
    expect(await listAll({ 'cf.budget.lte': '0.5' })).toEqual(['Alpha', 'Bravo', 'Charlie', 'Foxtrot']);
    expect(await listAll({ 'cf.budget.gte': '-100', 'cf.budget.lte': '1200', kind: 'company' }, '1')).toEqual(['Alpha', 'Bravo', 'Charlie', 'Foxtrot', 'Delta']);
    expect(await listAll({ 'cf.budget.gte': '0', namePrefix: 'd' })).toEqual(['Delta']);
    expect(await code(listAll({ 'cf.budget.gte': 'much' }))).toBe('validation_failed');
    expect(await code(listAll({ 'cf.level': 'gold' }))).toBe('validation_failed'); // not filterable

    // Running the whole build again (e.g. a redelivered trigger after a crash) writes the same items, no more.
    const rangeItems = async () => (await deps.store.query({ partition: 'T#acme#CFR#customer#budget', limit: 100 })).items.length;
    expect(await rangeItems()).toBe(6);
    const item = (await deps.store.get(fieldRegistryKeys.definition('acme', 'customer', 'budget')))!;
    await deps.store.put({ ...item, indexState: 'building' });
    expect(await buildUntilSettled('budget')).toEqual(['continued', 'continued', 'continued', 'ready']);
    expect(await rangeItems()).toBe(6);

    // An entry that no longer describes its record (value changed after it was indexed) is skipped.
    await updateCustomer(deps, ctx(), ids.Echo!, { customFields: { budget: 3 } }, '"1"');
    expect(await listAll({ 'cf.budget.gte': '1000' })).toEqual(['Delta']);
  });

  it('fails a unique build on existing duplicates with the conflicting records, and succeeds once they are fixed', async () => {
    await field('email', { label: 'Billing email', type: 'email' });
    const a = await create('A', { email: 'billing@example.com' });
    const b = await create('B', { email: 'Billing@Example.COM' }); // same value, case-insensitively
    await create('C', { email: 'c@example.com' });
    await create('D', {});

    const put = await field('email', { label: 'Billing email', type: 'email', unique: true }, '"1"');
    expect(put).toMatchObject({ unique: true, filterable: false, indexState: 'building', indexGeneration: 2 });
    const outcomes = await buildUntilSettled('email');
    expect(outcomes.at(-1)).toBe('failed');
    const failed = await definition('email');
    expect(failed).toMatchObject({ indexState: 'failed', conflicts: [{ valueHash: uniqueValueHash('billing@example.com'), customerIds: [a.id, b.id].sort() }] });

    await updateCustomer(deps, ctx(), b.id, { customFields: { email: 'b@example.com' } }, '"1"');
    const retried = await field('email', { label: 'Billing email', type: 'email', unique: true }, '"2"');
    expect(retried).toMatchObject({ indexState: 'building', indexGeneration: 3 });
    expect(retried).not.toHaveProperty('conflicts');
    expect((await buildUntilSettled('email')).at(-1)).toBe('ready');
    expect(await definition('email')).toMatchObject({ indexState: 'ready' });
    expect(await definition('email')).not.toHaveProperty('conflicts');
    const claim = await deps.store.get({ pk: `T#acme#UNIQ#customer#email#g3#${uniqueValueHash('b@example.com')}`, sk: 'UNIQ' });
    expect(claim).toMatchObject({ customerId: b.id, field: 'email', tenantId: 'acme' });
    expect(await deps.store.get({ pk: `T#acme#UNIQ#customer#email#g3#${uniqueValueHash('billing@example.com')}`, sk: 'UNIQ' })).toMatchObject({ customerId: a.id });

    // Making the unique field filterable too rebuilds the entries but keeps its claims (same generation).
    expect(await field('email', { label: 'Billing email', type: 'email', unique: true, filterable: true }, '"3"')).toMatchObject({ indexState: 'building', indexGeneration: 3 });
    expect((await buildUntilSettled('email')).at(-1)).toBe('ready');
    expect(await listAll({ 'cf.email': 'B@EXAMPLE.com' })).toEqual(['B']);
  });

  it('keeps a running build through unrelated edits, stops when the definition changed under it, and isolates tenants', async () => {
    await field('score', { label: 'Score', type: 'number' });
    for (const [i, name] of ['P', 'Q', 'R', 'S', 'T'].entries()) await create(name, { score: i * 10 });
    await field('score', { label: 'Score', type: 'number', filterable: true }, '"1"');
    expect((await buildFieldIndex(deps, 'acme', 'customer', 'score', { pageSize: 2, maxPages: 1 })).status).toBe('continued');
    // A label change keeps the build state and its position (and bumps the ETag as usual).
    const relabelled = await field('score', { label: 'Rating', type: 'number', filterable: true }, '"2"');
    expect(relabelled).toMatchObject({ indexState: 'building', indexGeneration: 2, version: 3 });
    expect(await deps.store.get(fieldRegistryKeys.definition('acme', 'customer', 'score'))).toHaveProperty('indexCursor');
    expect(await buildUntilSettled('score')).toEqual(['continued', 'ready']);
    expect(await listAll({ 'cf.score.gte': '20' })).toEqual(['R', 'S', 'T']);

    // An admin edit that lands while a chunk runs wins: the chunk's checkpoint is not written over it.
    await field('score', { label: 'Rating', type: 'number', filterable: true, unique: true }, '"3"');
    const real = deps.store;
    let edited = false;
    const racing: TableStore = {
      ...real,
      get: real.get.bind(real), batchGet: real.batchGet.bind(real), put: real.put.bind(real), delete: real.delete.bind(real), transact: real.transact.bind(real), transactEach: real.transactEach.bind(real),
      async query(input) {
        if (input.index === 'gsi1' && !edited) {
          edited = true;
          await field('score', { label: 'Score', type: 'number', filterable: true, unique: true }, '"4"');
        }
        return real.query(input);
      },
    };
    expect(await buildFieldIndex({ store: racing, clock }, 'acme', 'customer', 'score', { pageSize: 2, maxPages: 1 })).toEqual({ status: 'superseded', indexed: 2 });
    expect(await definition('score')).toMatchObject({ label: 'Score', version: 5, indexState: 'building' });
    expect(await deps.store.get(fieldRegistryKeys.definition('acme', 'customer', 'score'))).not.toHaveProperty('indexCursor');
    expect((await buildUntilSettled('score')).at(-1)).toBe('ready');

    // Another tenant sees none of it.
    const other = await listCustomers(deps, ctx('other'), ListCustomersRequestQuery.parse({ limit: '10' }));
    expect(other.items).toEqual([]);
    expect(await code(listCustomers(deps, ctx('other'), ListCustomersRequestQuery.parse({ 'cf.score.gte': '0' })))).toBe('validation_failed');
  });
});
