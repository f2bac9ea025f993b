import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeFeedDispatcher, SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { createFixtureCompanyRegistry } from '@crm/adapters/company-registry';
import {
  auditKeys, createCustomer, CreateCustomerInput, customerKeys, enrichmentKeys, loadAccessPolicy, updateCustomer,
  type Clock, type CompanyQuery, type CompanyRegistry, type Principal, type SecuredContext,
} from '@crm/core';
import { setContainer, ulidGenerator, type Container } from '@crm/runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { createLocalBlobStore } from '@crm/adapters/local-blob';
import { createLocalFieldEncryptor } from '@crm/adapters/local-encryption';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { handler as enrichCompany } from '../../../functions/customers/enrich-company.handler';
import fixture from '../../../packages/adapters/src/company-registry/fixtures/company-registry.json';

// Real SQLite store, real change feed, the real stream handler, and the fixture registry (recorded).
const clock: Clock = { now: () => new Date('2026-11-25T09:00:00.000Z') };
let db: Database.Database;
let store: SqliteTableStore;
let dispatcher: ChangeFeedDispatcher;
let calls: CompanyQuery[];
const encryptor = createLocalFieldEncryptor(mkdtempSync(join(tmpdir(), 'crm-keys-')));
const known = fixture.companies[3]!;

const principal: Principal = { tenantId: 'acme', kind: 'user', subject: 'root', roles: ['admin'], scopes: [], orgPath: '/' };
const admin = async (): Promise<SecuredContext> => ({ principal, requestId: 'r', access: await loadAccessPolicy(store, principal) });
// One monotonic id generator: records written in the same (test clock) millisecond keep their order.
const ids = ulidGenerator();
const deps = () => ({ store, clock, ids, encryptor });
const profile = (id: string) => store.get(customerKeys.profile('acme', id));

/** The container the lead's composition roots will build, with the registry as its `companyRegistry`. */
function containerWith(companyRegistry: CompanyRegistry): Container & { companyRegistry: CompanyRegistry } {
  return {
    store, storeFor: async () => store, encryptor, blobs: createLocalBlobStore(mkdtempSync(join(tmpdir(), 'crm-blobs-'))), clock, ids: ulidGenerator(),
    logger: new Logger({ logLevel: 'SILENT' }), assets: { read: () => undefined }, companyRegistry,
  };
}

beforeEach(() => {
  db = openSqliteDatabase(':memory:');
  store = new SqliteTableStore({ db, clock });
  calls = [];
  const real = createFixtureCompanyRegistry();
  const companyRegistry: CompanyRegistry = { lookup: (q) => (calls.push(q), real.lookup(q)) };
  setContainer(containerWith(companyRegistry));
  dispatcher = new ChangeFeedDispatcher({ db, clock, consumers: [{ name: 'enrich-company', handler: enrichCompany, batchSize: 25 }] });
});
afterEach(async () => {
  await dispatcher.stop();
  db.close();
});

describe('enrich-company change-feed consumer', () => {
  it('enriches a new company by credit code after the create, with an audited write that keeps the version (ETag)', async () => {
    const input = CreateCustomerInput.parse({ kind: 'company', name: 'Some local alias', customFields: { creditCode: known.creditCode } });
    const { customer } = await createCustomer(deps(), await admin(), input);
    expect((await profile(customer.id))!.enrichment).toBeUndefined(); // the create itself never waits for the registry

    await dispatcher.drain();
    const item = (await profile(customer.id))!;
    expect(item.enrichment).toEqual({
      enrichedAt: '2026-11-25T09:00:00.000Z',
      record: expect.objectContaining({ creditCode: known.creditCode, name: known.name, legalRepresentative: known.legalRepresentative, source: 'fixture' }),
    });
    // Server-owned metadata: no version bump, so a client's If-Match "1" still holds.
    expect(item).toMatchObject({ version: 1, updatedBy: 'root', updatedAt: customer.updatedAt, name: 'Some local alias', gsi1pk: 'T#acme#CUST' });
    await updateCustomer(deps(), await admin(), customer.id, { tags: ['key-account'] }, '"1"');
    expect(calls).toEqual([{ creditCode: known.creditCode }]);

    const audit = await store.query({ partition: auditKeys.record('acme', clock.now().toISOString(), 'x').pk, limit: 100 });
    expect(audit.items.filter((a) => a.action === 'customers:enrich')).toEqual([
      expect.objectContaining({ resourceId: customer.id, actor: expect.objectContaining({ subject: 'system:enrichment' }) }),
    ]);

    // Its own MODIFY record does not trigger another lookup; the budget was charged once.
    await dispatcher.drain();
    expect(calls).toHaveLength(1);
    expect((await store.get(enrichmentKeys.budget('acme', '2026-11-25')))!.count).toBe(1);
  });

  it('enriches by name, writes nothing for an unknown company, and ignores persons', async () => {
    const ctx = await admin();
    const byName = await createCustomer(deps(), ctx, CreateCustomerInput.parse({ kind: 'company', name: known.name }));
    const unknown = await createCustomer(deps(), ctx, CreateCustomerInput.parse({ kind: 'company', name: '无名小店' }));
    const person = await createCustomer(deps(), ctx, CreateCustomerInput.parse({ kind: 'person', name: known.name }));
    await dispatcher.drain();

    expect((await profile(byName.customer.id))!.enrichment).toMatchObject({ record: { creditCode: known.creditCode } });
    expect((await profile(unknown.customer.id))!).not.toHaveProperty('enrichment');
    expect((await profile(person.customer.id))!).not.toHaveProperty('enrichment');
    expect(calls).toEqual([{ name: known.name }, { name: '无名小店' }]);
    expect(await store.get(enrichmentKeys.cacheByName('acme', '无名小店'))).toMatchObject({ found: false }); // negative answer cached
  });

  it('drops the enrichment when the name changed before it was written (it may describe another company)', async () => {
    const ctx = await admin();
    const { customer } = await createCustomer(deps(), ctx, CreateCustomerInput.parse({ kind: 'company', name: known.name }));
    await updateCustomer(deps(), ctx, customer.id, { name: 'Renamed Ltd' }, '"1"');
    await dispatcher.drain();
    const item = (await profile(customer.id))!;
    expect(item).not.toHaveProperty('enrichment');
    expect(item).toMatchObject({ version: 2, name: 'Renamed Ltd' });
  });

  it('still enriches when only unrelated fields changed meanwhile, on top of the newer version', async () => {
    const ctx = await admin();
    const { customer } = await createCustomer(deps(), ctx, CreateCustomerInput.parse({ kind: 'company', name: known.name }));
    await updateCustomer(deps(), ctx, customer.id, { tags: ['vip'] }, '"1"');
    await dispatcher.drain();
    expect((await profile(customer.id))!).toMatchObject({ version: 2, tags: ['vip'], enrichment: { record: { creditCode: known.creditCode } } });
  });

  it('acknowledges (does not redeliver) when the registry answers garbage, and writes nothing', async () => {
    const garbage: CompanyRegistry = { lookup: async (q) => (calls.push(q), { name: 'no credit code' } as never) };
    setContainer({ ...containerWith(garbage) });
    const { customer } = await createCustomer(deps(), await admin(), CreateCustomerInput.parse({ kind: 'company', name: known.name }));
    await dispatcher.drain({ maxAttempts: 1 }); // a batch item failure would make drain reject
    expect((await profile(customer.id))!).toMatchObject({ version: 1 });
    expect((await profile(customer.id))!).not.toHaveProperty('enrichment');
    expect(calls).toHaveLength(1);
  });
});
