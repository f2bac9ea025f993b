import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeFeedDispatcher, SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import {
  AppError, claimCustomer, createCustomer, CreateCustomerInput, DEFAULT_PROTECTION_DAYS, getCustomer, loadAccessPolicy, updateCustomer,
  type Clock, type Principal, type SecuredContext,
} from '@crm/core';
import { setContainer, ulidGenerator, type Container } from '@crm/runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { createLocalBlobStore } from '@crm/adapters/local-blob';
import { createFixtureCompanyRegistry } from '@crm/adapters/company-registry';
import { createLocalFieldEncryptor } from '@crm/adapters/local-encryption';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { handler as returnExpiredClaims } from '../../../functions/customers/return-expired-claims.handler';

// Real SQLite store, real change feed, the real stream handler, and a clock the test moves.
let nowMs = Date.parse('2026-11-25T00:00:00.000Z');
const clock: Clock = { now: () => new Date(nowMs) };
const DAY = 86_400_000;
let db: Database.Database;
let store: SqliteTableStore;
let dispatcher: ChangeFeedDispatcher;
const encryptor = createLocalFieldEncryptor(mkdtempSync(join(tmpdir(), 'crm-keys-')));

const principal = (subject: string, roles: string[]): Principal => ({ tenantId: 'acme', kind: 'user', subject, roles, scopes: [], orgPath: '/' });
const ctxOf = async (subject: string, roles = ['sales']): Promise<SecuredContext> => {
  const p = principal(subject, roles);
  return { principal: p, requestId: 'r', access: await loadAccessPolicy(store, p) };
};
const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));

beforeEach(() => {
  nowMs = Date.parse('2026-11-25T00:00:00.000Z');
  db = openSqliteDatabase(':memory:');
  store = new SqliteTableStore({ db, clock });
  const container: Container = { store, storeFor: async () => store, encryptor, companyRegistry: createFixtureCompanyRegistry(), blobs: createLocalBlobStore(mkdtempSync(join(tmpdir(), 'crm-blobs-'))), clock, ids: ulidGenerator(), logger: new Logger({ logLevel: 'SILENT' }), assets: { read: () => undefined } };
  setContainer(container);
  dispatcher = new ChangeFeedDispatcher({ db, clock, consumers: [{ name: 'return-expired-claims', handler: returnExpiredClaims, batchSize: 100 }] });
});
afterEach(async () => {
  await dispatcher.stop();
  db.close();
});

describe('claim protection period', () => {
  it('returns an untouched claimed customer to the pool when its TTL lease ends', async () => {
    const deps = { store, clock, ids: ulidGenerator(), encryptor };
    const admin = await ctxOf('root', ['admin']);
    const { customer } = await createCustomer(deps, admin, CreateCustomerInput.parse({ kind: 'company', name: 'Lease Co', ownerId: null }));
    expect((await claimCustomer(deps, await ctxOf('alice'), customer.id)).ownerId).toBe('alice');
    expect(await code(claimCustomer(deps, await ctxOf('bob'), customer.id))).toBe('conflict');

    // Touching the customer renews the lease.
    nowMs += 20 * DAY;
    await updateCustomer(deps, await ctxOf('alice'), customer.id, { name: 'Lease Co Ltd' }, '"2"');
    nowMs += 20 * DAY; // 40 days after the claim, 20 after the touch: still protected
    await store.deleteExpired(); // only the rep's old daily quota counter has expired by now
    await dispatcher.drain();
    expect((await getCustomer(deps, admin, customer.id)).ownerId).toBe('alice');
    expect(await code(claimCustomer(deps, await ctxOf('bob'), customer.id))).toBe('conflict');

    nowMs += (DEFAULT_PROTECTION_DAYS - 20) * DAY + 1000; // past the renewed lease
    expect(await store.deleteExpired()).toBeGreaterThanOrEqual(1); // the TTL process (local sweeper) removes the lease...
    await dispatcher.drain(); // ...and the stream consumer puts the customer back into the pool
    const back = await getCustomer(deps, admin, customer.id);
    expect(back.ownerId).toBeNull();
    expect(back).not.toHaveProperty('claimedAt');
    expect(back.updatedBy).toBe('system:claim-protection');

    // Redelivery of the same record changes nothing (idempotent), and the pool is claimable again.
    expect((await claimCustomer(deps, await ctxOf('bob'), customer.id)).ownerId).toBe('bob');
  });

  it('lets another rep claim as soon as the lease has expired, before the TTL process runs', async () => {
    const deps = { store, clock, ids: ulidGenerator(), encryptor };
    const { customer } = await createCustomer(deps, await ctxOf('root', ['admin']), CreateCustomerInput.parse({ kind: 'person', name: 'Early', ownerId: null }));
    await claimCustomer(deps, await ctxOf('alice'), customer.id);
    nowMs += DEFAULT_PROTECTION_DAYS * DAY + 1000;
    expect((await claimCustomer(deps, await ctxOf('bob'), customer.id)).ownerId).toBe('bob');
    // The old lease's late TTL deletion must not release bob's fresh claim.
    await store.deleteExpired();
    await dispatcher.drain();
    expect((await getCustomer(deps, await ctxOf('root', ['admin']), customer.id)).ownerId).toBe('bob');
  });
});
