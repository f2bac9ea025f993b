import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDbTableStore } from '@crm/adapters/dynamodb';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { can, canSeeRecord, customerKeys, createGrant, CreateGrantInput, loadAccessPolicy, type Clock, type Principal, type SecuredContext, type TableStore } from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

// A controllable clock shared by the use case and the store: the store decides what has expired.
let nowMs = Date.parse('2026-11-25T12:00:00.000Z');
const clock: Clock = { now: () => new Date(nowMs) };
let dynamo: DynamoDbLocal | undefined;
afterAll(() => dynamo?.stop());

const stores: Record<string, () => Promise<TableStore>> = {
  sqlite: async () => new SqliteTableStore({ db: openSqliteDatabase(':memory:'), clock }),
  dynamodb: async () => {
    dynamo ??= await startDynamoDbLocal();
    return new DynamoDbTableStore({ client: dynamo.documentClient, tableName: await dynamo.createTable('grants'), clock });
  },
};

const adminPrincipal: Principal = { tenantId: 'acme', kind: 'user', subject: 'root', roles: ['admin'], scopes: [] };
const rep: Principal = { tenantId: 'acme', kind: 'user', subject: 'rep', roles: ['sales'], scopes: [], orgPath: '/east' };

describe.each(Object.keys(stores))('expiring grants on %s', (adapter) => {
  it('work until their end time and stop at that second without any job', async () => {
    nowMs = Date.parse('2026-11-25T12:00:00.000Z');
    const store = await stores[adapter]!();
    const ctx: SecuredContext = { principal: adminPrincipal, requestId: 'r', access: await loadAccessPolicy(store, adminPrincipal) };
    const deps = { store, clock, ids: ulidGenerator() };
    const until = '2026-11-25T13:00:00.000Z';
    await createGrant(deps, ctx, CreateGrantInput.parse({ grantee: { type: 'user', id: 'rep' }, permission: 'customers:export', until }));
    await store.put({ ...customerKeys.profile('acme', '01J9ZQ4V7Y8K3M2N1P0R5S6T7V'), id: '01J9ZQ4V7Y8K3M2N1P0R5S6T7V' }); // the shared record must exist
    await createGrant(deps, ctx, CreateGrantInput.parse({ grantee: { type: 'unit', path: '/east' }, share: { resource: 'customer', id: '01J9ZQ4V7Y8K3M2N1P0R5S6T7V' }, until }));
    const record = { id: '01J9ZQ4V7Y8K3M2N1P0R5S6T7V', ownerId: 'someone', orgPath: '/west' };

    const before = await loadAccessPolicy(store, rep);
    expect(can(before, 'customers:export')).toBe(true);
    expect(canSeeRecord(before, 'customer', record)).toBe(true);

    nowMs = Date.parse(until) - 1000;
    expect(can(await loadAccessPolicy(store, rep), 'customers:export')).toBe(true);
    nowMs = Date.parse(until);
    const after = await loadAccessPolicy(store, rep);
    expect(can(after, 'customers:export')).toBe(false);
    expect(canSeeRecord(after, 'customer', record)).toBe(false);
    // Positive control: the role's own permissions are unaffected.
    expect(can(after, 'customers:read')).toBe(true);
  });
});
