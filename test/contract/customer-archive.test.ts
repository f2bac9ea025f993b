import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalArchiveStore } from '@crm/adapters/local-archive';
import {
  archiveExpiredItems, archiveInactiveCustomers, completeTask, createTask, CreateTaskInput, archiveKeys, auditKeys, claimCustomer, createCustomer, CreateCustomerInput, customerKeys, deleteCustomer,
  getCustomer, getTimeline, interactionKeys, InteractionInput, InteractionSettingsInput, listCustomers, ListCustomersRequestQuery, mergeCustomers,
  MergeCustomersInput, orderKeys, putInteractionSettings, putSecuritySettings, recordInteraction, rehydrateCustomer, releaseCustomer, TimelineQuery,
  updateCustomer, UpdateCustomerInput, type AnalyticsEngine, type AnalyticsRow, type ArchiveStore, type ChangeRecord, type Clock, type Customer,
  type InteractionDeps, type Item, type TableStore,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext as ctx, errorCode, fixedClock, stores, testEncryptor } from '../support/use-case-harness';

/**
 * Customer stubs (ADR 0034): the daily job archives verified-inactive customers into a stub, the
 * stub refuses writes, rehydration brings profile and timeline back — on both stores. The lake's
 * candidate report has its own test on DuckDB (test/unit/analytics/inactive-customers-report.test.ts);
 * here the engine is a fake that answers the candidates the test names (the port, not the thing
 * under test), so verification against the live table is what is exercised.
 */
const lakes: string[] = [];
afterAll(() => lakes.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const past: Clock = { now: () => new Date('2022-03-01T09:00:00.000Z') };
const NOW = fixedClock.now().toISOString();
const NOW_TTL = Math.floor(fixedClock.now().getTime() / 1000);

type Deps = InteractionDeps & { archive: ArchiveStore };
let deps: Deps;
let archive: LocalArchiveStore;
/** What the fake engine answers: the candidates, as the lake would list them. */
let candidates: string[];
const engine: AnalyticsEngine = {
  run: async () => {
    throw new Error('the job reads a page');
  },
  runPage: async (_tenant, report, params, options) => {
    expect(report).toBe('inactive-customers');
    expect(params).toEqual({ asOf: NOW, days: 365 });
    const rows = candidates.map((id): AnalyticsRow => ({ customer_id: id, last_activity_at: '2022-03-01T09:00:00.000Z' }));
    return { rows: rows.slice(0, options.limit), rowCount: rows.length };
  },
};
const job = (overrides: { store?: TableStore; archive?: ArchiveStore; maxArchived?: number } = {}) =>
  archiveInactiveCustomers(
    { store: overrides.store ?? deps.store, clock: fixedClock, ids: ulidGenerator(), engine, archive: overrides.archive ?? deps.archive }, 'acme',
    overrides.maxArchived ? { maxArchived: overrides.maxArchived } : {},
  );

/** An old customer (created in 2022) with a phone and old SMS on its timeline. */
async function oldCustomer(name: string, phone: string, days: string[]): Promise<Customer> {
  const old = { ...deps, clock: past };
  const c = (await createCustomer(old, ctx(), CreateCustomerInput.parse({
    kind: 'person', name, phones: [{ number: phone }], emails: [{ address: `${phone}@example.com` }], address: { city: 'Hangzhou', country: 'CN' },
    tags: ['vip'], customFields: {},
  }))).customer;
  for (const day of days) {
    await recordInteraction(old, ctx(), InteractionInput.parse({ customerId: c.id, channel: 'sms', type: 'message', occurredAt: `${day}T09:00:00.000Z`, payload: { text: day, direction: 'inbound' } }));
  }
  return c;
}

const profile = (id: string) => deps.store.get(customerKeys.profile('acme', id), { consistent: true });
const timelineIds = async (id: string, withArchive = true) =>
  (await getTimeline(withArchive ? deps : { store: deps.store }, ctx(), id, TimelineQuery.parse({ limit: 100 }))).items.map((i) => i.payload.text);
const liveTimeline = async (id: string) => (await deps.store.query({ partition: customerKeys.partition('acme', id), sortKey: { beginsWith: 'TL#' }, limit: 100 })).items;
const auditActions = async () => (await deps.store.query({ partition: auditKeys.dayPartition('acme', NOW.slice(0, 10)), limit: 500 })).items.map((a) => `${a.action}:${a.resourceId}`);

/** What DynamoDB's TTL process does to the expired items: deletes them; the stream carries their old images. */
async function expireByTtl(items: Item[]): Promise<ChangeRecord[]> {
  for (const item of items) await deps.store.delete({ pk: item.pk, sk: item.sk });
  return items.map((item, n) => ({ eventId: `ttl-${n}-${item.sk}`, eventName: 'REMOVE', approximateCreationTime: 0, oldImage: { ...item, expiresAt: NOW_TTL } }));
}

describe('customer archive setting', () => {
  it('accepts 365..3650 days or nothing', () => {
    for (const ok of [365, 1095, 3650]) expect(InteractionSettingsInput.safeParse({ unknownIdentity: 'park', customerArchiveAfterDays: ok }).success).toBe(true);
    for (const bad of [364, 3651, 400.5, '730']) {
      expect({ bad, ok: InteractionSettingsInput.safeParse({ unknownIdentity: 'park', customerArchiveAfterDays: bad }).success }).toEqual({ bad, ok: false });
    }
  });
});

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('customer stubs on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]();
  });
  beforeEach(async () => {
    const lake = mkdtempSync(join(tmpdir(), 'crm-customer-archive-'));
    lakes.push(lake);
    archive = new LocalArchiveStore({ root: lake });
    deps = { store: await stores[adapter](), clock: fixedClock, ids: ulidGenerator(), encryptor: testEncryptor, archive };
    candidates = [];
  });

  it('does nothing until the tenant opts in', async () => {
    const c = await oldCustomer('Never Archived', '13800000001', ['2022-01-10']);
    candidates = [c.id];
    expect(await job()).toMatchObject({ days: null, candidates: 0, archived: 0 });
    expect(await profile(c.id)).not.toHaveProperty('archivedAt');
  });

  it('archives only verified-inactive customers into stubs, refuses writes to them, and rehydrates profile and timeline', async () => {
    // Phones are sealed: the archived profile keeps them sealed (as stored).
    await putSecuritySettings(deps, ctx(), { sensitiveFields: ['phones'] }, '"0"');
    const sleeper = await oldCustomer('Sleepy Zhang', '13800000002', ['2022-01-10', '2022-02-01']);
    const chatty = await oldCustomer('Chatty Li', '13800000003', ['2022-01-10']);
    await recordInteraction(deps, ctx(), InteractionInput.parse({ customerId: chatty.id, channel: 'sms', type: 'message', occurredAt: '2026-10-01T09:00:00.000Z', payload: { text: 'recent', direction: 'inbound' } }));
    const buyer = await oldCustomer('Buyer Wang', '13800000004', []);
    await deps.store.put({ ...orderKeys.stats('acme', buyer.id), entity: 'customer-order-stats', tenantId: 'acme', customerId: buyer.id, lastOrderAt: '2026-01-05T00:00:00.000Z' });
    const edited = await oldCustomer('Edited Zhao', '13800000005', []);
    await updateCustomer(deps, ctx(), edited.id, UpdateCustomerInput.parse({ tags: ['vip', 'renewed'] }), '"1"');
    const gone = await oldCustomer('Deleted Qian', '13800000006', []);
    await deleteCustomer({ ...deps, clock: past }, ctx(), gone.id);
    expect(await putInteractionSettings(deps, ctx(), { unknownIdentity: 'create-lead', customerArchiveAfterDays: 365 }, '"0"')).toMatchObject({ customerArchiveAfterDays: 365 });

    const original = (await profile(sleeper.id))!;
    expect(JSON.stringify(original.phones)).not.toContain('13800000002'); // sealed
    const before = await getCustomer(deps, ctx(), sleeper.id);
    const oldItems = await liveTimeline(sleeper.id);
    expect(oldItems).toHaveLength(2);
    candidates = [sleeper.id, chatty.id, buyer.id, edited.id, gone.id, '01JUNKNOWNCUSTOMER00000000'];

    expect(await job()).toMatchObject({ days: 365, candidates: 6, archived: 1, active: 3, notLive: 2, changed: 0, resumed: 0, expiredItems: 2 });
    // The full profile as stored is in the archive; a stub with the list fields replaced it.
    expect(await archive.getProfile('acme', sleeper.id)).toEqual(original);
    const stub = (await profile(sleeper.id))!;
    expect(stub).toMatchObject({
      id: sleeper.id, name: 'Sleepy Zhang', kind: 'person', tags: ['vip'], ownerId: 'alice', orgPath: '/', version: original.version as number + 1,
      archived: true, archivedAt: NOW, updatedAt: NOW, updatedBy: 'system:archive-customers', phones: [], emails: [], customFields: {},
      gsi1pk: original.gsi1pk, gsi1sk: original.gsi1sk, gsi2pk: original.gsi2pk, gsi5pk: original.gsi5pk,
    });
    expect(stub).not.toHaveProperty('address');
    expect(await getCustomer(deps, ctx(), sleeper.id)).toMatchObject({ archived: true, archivedAt: NOW, phones: [] });
    const listed = (await listCustomers(deps, ctx(), ListCustomersRequestQuery.parse({ tag: 'vip' }))).items;
    expect(listed.find((c) => c.id === sleeper.id)).toMatchObject({ archived: true, name: 'Sleepy Zhang' });
    expect(listed.find((c) => c.id === chatty.id)).not.toHaveProperty('archived');
    // Its timeline items got a TTL of now (hidden at once), locators too; the marker is gone.
    expect(await liveTimeline(sleeper.id)).toEqual([]);
    expect(await deps.store.get(interactionKeys.locator('acme', String(oldItems[0]!.id)))).toBeUndefined();
    expect(await deps.store.get(archiveKeys.pendingCustomer('acme', sleeper.id))).toBeUndefined();
    for (const id of [chatty.id, buyer.id, edited.id]) expect(await profile(id)).not.toHaveProperty('archivedAt');
    expect(await auditActions()).toContain(`customers:archive:${sleeper.id}`);

    // Writes answer 409 customer_archived.
    expect(await errorCode(updateCustomer(deps, ctx(), sleeper.id, UpdateCustomerInput.parse({ name: 'X' }), `"${stub.version}"`))).toBe('customer_archived');
    expect(await errorCode(deleteCustomer(deps, ctx(), sleeper.id))).toBe('customer_archived');
    expect(await errorCode(claimCustomer(deps, ctx('acme', 'bob'), sleeper.id))).toBe('customer_archived');
    expect(await errorCode(releaseCustomer(deps, ctx(), sleeper.id))).toBe('customer_archived');
    expect(await errorCode(mergeCustomers(deps, ctx(), MergeCustomersInput.parse({ survivorId: chatty.id, mergeIds: [sleeper.id] })))).toBe('customer_archived');
    expect(await errorCode(mergeCustomers(deps, ctx(), MergeCustomersInput.parse({ survivorId: sleeper.id, mergeIds: [chatty.id] })))).toBe('customer_archived');
    // A second run changes nothing (the lake may still list it: verification skips the stub).
    expect(await job()).toMatchObject({ archived: 0, notLive: 3 });

    // Identity resolution still finds the stub (the phone lookup item stayed): recorded as usual.
    const back = await recordInteraction(deps, ctx(), InteractionInput.parse({ identity: { phone: '13800000002' }, channel: 'sms', type: 'message', occurredAt: '2026-11-20T09:00:00.000Z', payload: { text: 'hello again', direction: 'inbound' } }));
    expect(back).toMatchObject({ status: 'created', customerId: sleeper.id });

    // The TTL process removes the expired items; the archiver files them under the customer.
    expect(await archiveExpiredItems(deps, await expireByTtl(oldItems))).toEqual({ archived: 2, files: 1 });
    expect(await timelineIds(sleeper.id)).toEqual(['hello again', '2022-02-01', '2022-01-10']);

    const rehydrated = await rehydrateCustomer(deps, ctx(), sleeper.id);
    expect(rehydrated).toEqual({ customerId: sleeper.id, profileRestored: true, restored: 2, alreadyLive: 0, files: 1 });
    const after = await getCustomer(deps, ctx(), sleeper.id);
    const { version: _v1, updatedAt: _u1, updatedBy: _b1, ...sameAsBefore } = before;
    expect(after).toEqual({ ...sameAsBefore, version: stub.version as number + 1, updatedAt: NOW, updatedBy: 'alice' });
    expect(await profile(sleeper.id)).toMatchObject({ rehydratedAt: NOW, gsi1pk: original.gsi1pk, gsi2pk: original.gsi2pk, phones: original.phones });
    expect(await archive.getProfile('acme', sleeper.id)).toBeUndefined();
    expect(await timelineIds(sleeper.id, false)).toEqual(['hello again', '2022-02-01', '2022-01-10']);
    expect(await auditActions()).toContain(`customers:rehydrate-profile:${sleeper.id}`);
    // Writable again; rehydrating again changes nothing.
    expect((await updateCustomer(deps, ctx(), sleeper.id, UpdateCustomerInput.parse({ tags: ['vip', 'back'] }), `"${after.version}"`)).customer.tags).toEqual(['vip', 'back']);
    expect(await rehydrateCustomer(deps, ctx(), sleeper.id)).toEqual({ customerId: sleeper.id, profileRestored: false, restored: 0, alreadyLive: 0, files: 0 });
    // Another tenant cannot name it.
    expect(await errorCode(rehydrateCustomer(deps, ctx('globex'), sleeper.id))).toBe('not_found');
  });

  it('converges after a crash between the steps of the job and of rehydration', async () => {
    await putInteractionSettings(deps, ctx(), { unknownIdentity: 'create-lead', customerArchiveAfterDays: 365 }, '"0"');
    const a = await oldCustomer('Crash A', '13800000011', ['2022-01-10', '2022-01-11']);
    candidates = [a.id];

    // 1. The profile file is written, then the process dies before the stub swap.
    const dying = new FailingArchive(archive, { putProfile: 1 });
    await expect(job({ archive: dying })).rejects.toThrow(/crash/);
    expect(await archive.getProfile('acme', a.id)).toMatchObject({ id: a.id, version: 1 });
    expect(await profile(a.id)).not.toHaveProperty('archivedAt');

    // 2. The next run archives it (the file written again); the timeline step dies after the swap.
    await expect(job({ store: new FailingStore(deps.store, { transactEach: 1 }) })).rejects.toThrow(/crash/);
    expect(await profile(a.id)).toMatchObject({ archived: true, version: 2 });
    expect(await liveTimeline(a.id)).toHaveLength(2);
    expect(await deps.store.get(archiveKeys.pendingCustomer('acme', a.id))).toMatchObject({ customerId: a.id });

    // 3. The next run finishes the timeline step from the marker (the lake no longer lists it).
    candidates = [];
    expect(await job()).toMatchObject({ resumed: 1, archived: 0, expiredItems: 2 });
    expect(await liveTimeline(a.id)).toEqual([]);
    expect(await deps.store.get(archiveKeys.pendingCustomer('acme', a.id))).toBeUndefined();

    // 4. Rehydration dies after restoring the profile, before deleting the file: the retry removes it.
    await expect(rehydrateCustomer({ ...deps, archive: new FailingArchive(archive, { removeProfile: 1 }) }, ctx(), a.id)).rejects.toThrow(/crash/);
    expect(await profile(a.id)).toMatchObject({ version: 3, rehydratedAt: NOW });
    expect(await profile(a.id)).not.toHaveProperty('archivedAt');
    expect(await archive.getProfile('acme', a.id)).toMatchObject({ version: 1 });
    expect(await rehydrateCustomer(deps, ctx(), a.id)).toMatchObject({ profileRestored: false });
    expect(await archive.getProfile('acme', a.id)).toBeUndefined();
  });

  it('archives at most maxArchived customers per run; the rest wait for the next', async () => {
    await putInteractionSettings(deps, ctx(), { unknownIdentity: 'create-lead', customerArchiveAfterDays: 365 }, '"0"');
    const first = await oldCustomer('First Ma', '13800000031', []);
    const second = await oldCustomer('Second Ma', '13800000032', []);
    candidates = [first.id, second.id];
    expect(await job({ maxArchived: 1 })).toMatchObject({ archived: 1, deferred: 1 });
    expect(await profile(first.id)).toMatchObject({ archived: true });
    expect(await profile(second.id)).not.toHaveProperty('archived');
    expect(await job({ maxArchived: 1 })).toMatchObject({ archived: 1, deferred: 0, notLive: 1 });
    expect(await profile(second.id)).toMatchObject({ archived: true });
  });

  it('keeps a customer with an open task live, however old the task, and archives it once the task is done', async () => {
    await putInteractionSettings(deps, ctx(), { unknownIdentity: 'create-lead', customerArchiveAfterDays: 365 }, '"0"');
    const planned = await oldCustomer('Planned Hu', '13800000041', []);
    const { task } = await createTask({ ...deps, clock: past }, ctx(), CreateTaskInput.parse({ title: 'Call back', dueAt: '2022-04-01T09:00:00.000Z', customerId: planned.id }));
    candidates = [planned.id];
    expect(await job()).toMatchObject({ archived: 0, active: 1 });
    expect(await profile(planned.id)).not.toHaveProperty('archived');
    await completeTask({ ...deps, clock: past }, ctx(), task.id, '"1"');
    expect(await job()).toMatchObject({ archived: 1, active: 0 });
  });

  it('leaves a customer changed between verification and the swap live, and discards its profile file', async () => {
    await putInteractionSettings(deps, ctx(), { unknownIdentity: 'create-lead', customerArchiveAfterDays: 365 }, '"0"');
    const c = await oldCustomer('Racing Sun', '13800000021', ['2022-01-10']);
    candidates = [c.id];
    // A user edits the customer right after the job wrote the profile file.
    const racing = new FailingArchive(archive, {}, async () => {
      await updateCustomer(deps, ctx(), c.id, UpdateCustomerInput.parse({ name: 'Racing Sun Jr' }), '"1"');
    });
    expect(await job({ archive: racing })).toMatchObject({ archived: 0, changed: 1, expiredItems: 0 });
    expect(await profile(c.id)).toMatchObject({ name: 'Racing Sun Jr', version: 2 });
    expect(await profile(c.id)).not.toHaveProperty('archivedAt');
    expect(await archive.getProfile('acme', c.id)).toBeUndefined();
    expect(await liveTimeline(c.id)).toHaveLength(1);
    // Rehydrating a customer that is no stub restores nothing and fails nothing.
    expect(await rehydrateCustomer(deps, ctx(), c.id)).toMatchObject({ profileRestored: false, restored: 0 });
  });
});

/** An archive store that dies ("crash") once in the named methods after doing their work, or runs a hook after putProfile. */
class FailingArchive implements ArchiveStore {
  constructor(private readonly inner: ArchiveStore, private readonly failures: Partial<Record<'putProfile' | 'removeProfile', number>>, private readonly afterPut?: () => Promise<void>) {}
  append: ArchiveStore['append'] = (...args) => this.inner.append(...args);
  read: ArchiveStore['read'] = (...args) => this.inner.read(...args);
  batches: ArchiveStore['batches'] = (...args) => this.inner.batches(...args);
  remove: ArchiveStore['remove'] = (...args) => this.inner.remove(...args);
  count: ArchiveStore['count'] = (...args) => this.inner.count(...args);
  getProfile: ArchiveStore['getProfile'] = (...args) => this.inner.getProfile(...args);
  async putProfile(...args: Parameters<ArchiveStore['putProfile']>): Promise<void> {
    await this.inner.putProfile(...args);
    await this.afterPut?.();
    this.maybeCrash('putProfile');
  }
  async removeProfile(...args: Parameters<ArchiveStore['removeProfile']>): Promise<void> {
    this.maybeCrash('removeProfile');
    await this.inner.removeProfile(...args);
  }
  private maybeCrash(method: 'putProfile' | 'removeProfile'): void {
    if ((this.failures[method] ?? 0) > 0) {
      this.failures[method]! -= 1;
      throw new Error(`crash in ${method}`);
    }
  }
}

/** A table store that dies once in transactEach (before writing anything). */
class FailingStore implements TableStore {
  constructor(private readonly inner: TableStore, private readonly failures: { transactEach: number }) {}
  get: TableStore['get'] = (...args) => this.inner.get(...args);
  batchGet: TableStore['batchGet'] = (...args) => this.inner.batchGet(...args);
  put: TableStore['put'] = (...args) => this.inner.put(...args);
  delete: TableStore['delete'] = (...args) => this.inner.delete(...args);
  transact: TableStore['transact'] = (...args) => this.inner.transact(...args);
  query: TableStore['query'] = (...args) => this.inner.query(...args);
  async transactEach(groups: Parameters<TableStore['transactEach']>[0]): ReturnType<TableStore['transactEach']> {
    if (this.failures.transactEach > 0) {
      this.failures.transactEach -= 1;
      throw new Error('crash in transactEach');
    }
    return this.inner.transactEach(groups);
  }
}
