/**
 * guardTenant: the local equivalent of the tenant role's `dynamodb:LeadingKeys` condition. The inner
 * store is a real SQLite store, so the positive controls prove the wrapper passes operations through.
 */
import { SqliteTableStore, guardTenant, openSqliteDatabase, TenantIsolationError } from '@crm/adapters/sqlite';
import type { TableStore } from '@crm/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let inner: SqliteTableStore;
let close: () => void;
let acme: TableStore;

beforeEach(() => {
  const db = openSqliteDatabase(':memory:');
  close = () => db.close();
  inner = new SqliteTableStore({ db });
  acme = guardTenant(inner, 'acme');
});
afterEach(() => close());

const own = { pk: 'T#acme#C#1', sk: 'PROFILE' };
const foreign = { pk: 'T#globex#C#1', sk: 'PROFILE' };
// A tenant whose id starts with ours must not pass the prefix check.
const lookalike = { pk: 'T#acme-corp#C#1', sk: 'PROFILE' };

describe('guardTenant', () => {
  it('passes every operation on the own tenant through to the store', async () => {
    await acme.put({ ...own, name: 'A', gsi1pk: 'T#acme#CUST', gsi1sk: 'a#1' });
    await acme.transact([
      { type: 'put', item: { pk: 'T#acme#C#2', sk: 'PROFILE', gsi1pk: 'T#acme#CUST', gsi1sk: 'b#2' } },
      { type: 'conditionCheck', key: own, condition: { kind: 'exists' } },
    ]);

    expect(await acme.get(own)).toMatchObject({ name: 'A' });
    expect(await acme.batchGet([own, { pk: 'T#acme#C#2', sk: 'PROFILE' }])).toHaveLength(2);
    const page = await acme.query({ index: 'gsi1', partition: 'T#acme#CUST', limit: 1 });
    expect(page.items).toHaveLength(1);
    const next = await acme.query({ index: 'gsi1', partition: 'T#acme#CUST', limit: 1, startAfter: page.lastKey! });
    expect(next.items.map((item) => item.pk)).toEqual(['T#acme#C#2']);
    await acme.delete(own);
    expect(await inner.get(own)).toBeUndefined();
  });

  it.each([
    ['get', (s: TableStore) => s.get(foreign)],
    ['get (lookalike tenant)', (s: TableStore) => s.get(lookalike)],
    ['batchGet', (s: TableStore) => s.batchGet([own, foreign])],
    ['put', (s: TableStore) => s.put({ ...foreign })],
    ['put with a foreign GSI partition', (s: TableStore) => s.put({ ...own, gsi2pk: 'T#globex#OWNER#u' })],
    ['delete', (s: TableStore) => s.delete(foreign)],
    ['transact put', (s: TableStore) => s.transact([{ type: 'put', item: { ...own } }, { type: 'put', item: { ...foreign } }])],
    ['transact delete', (s: TableStore) => s.transact([{ type: 'delete', key: foreign }])],
    ['transact conditionCheck', (s: TableStore) => s.transact([{ type: 'conditionCheck', key: foreign, condition: { kind: 'exists' } }])],
    ['query', (s: TableStore) => s.query({ partition: 'T#globex#C#1', limit: 10 })],
    ['query on a GSI', (s: TableStore) => s.query({ index: 'gsi1', partition: 'T#globex#CUST', limit: 10 })],
    ['query without the tenant prefix', (s: TableStore) => s.query({ partition: 'T#acme', limit: 10 })],
    [
      'query with a forged startAfter',
      (s: TableStore) =>
        s.query({ index: 'gsi1', partition: 'T#acme#CUST', limit: 10, startAfter: { pk: 'T#globex#C#1', sk: 'PROFILE', gsi1pk: 'T#acme#CUST', gsi1sk: 'x' } }),
    ],
    [
      'query with a foreign index partition in startAfter',
      (s: TableStore) =>
        s.query({ index: 'gsi1', partition: 'T#acme#CUST', limit: 10, startAfter: { pk: 'T#acme#C#1', sk: 'PROFILE', gsi1pk: 'T#globex#CUST', gsi1sk: 'x' } }),
    ],
  ])('rejects %s outside the tenant and leaves the store untouched', async (_name, operation) => {
    await inner.put({ ...foreign, name: 'G' });

    await expect(operation(acme)).rejects.toBeInstanceOf(TenantIsolationError);

    expect(await inner.get(foreign)).toEqual({ ...foreign, name: 'G' });
    expect(await inner.get(own)).toBeUndefined();
  });

  it('refuses a malformed tenant id (which could widen the prefix)', () => {
    expect(() => guardTenant(inner, 'acme#C')).toThrow(TypeError);
    expect(() => guardTenant(inner, '')).toThrow(TypeError);
  });
});
