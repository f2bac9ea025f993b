import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbTableStore } from '@crm/adapters/dynamodb';
import { createLocalBlobStore } from '@crm/adapters/local-blob';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import {
  auditEntryFrom, auditKeys, auditPutOperation, chainAndArchiveAuditRecords, listAudit, ListAuditQuery, toAuditItem, verifyAuditChain,
  writeAudit, type AuditEntry, type BlobStore, type Clock, type RequestContext, type TableStore,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

// The audit use cases on both real stores: conditional head writes, transaction cancellation,
// consistent link queries and index reads must behave the same on SQLite and DynamoDB Local.
let clockMs = Date.parse('2026-11-25T10:00:00.000Z');
const clock: Clock = { now: () => new Date((clockMs += 1000)) };
const ids = ulidGenerator();
const ctx = (subject = 'alice'): RequestContext => ({
  principal: { tenantId: 'acme', kind: 'user', subject, roles: ['auditor'], scopes: [] },
  requestId: 'req-1',
});
const entry = (n: number, subject = 'alice'): AuditEntry =>
  auditEntryFrom(ctx(subject), {
    action: 'customers:delete', resource: 'customer', resourceId: `C${n}`,
    before: { name: `Customer ${n}`, phones: [{ number: '+86 1', label: 'mobile' }], customFields: { tier: 'gold', score: 4.5, vip: true } },
  }, clock, ids);

let dynamo: DynamoDbLocal | undefined;
const stores: Record<string, () => Promise<TableStore>> = {
  sqlite: async () => new SqliteTableStore({ db: openSqliteDatabase(':memory:'), clock }),
  dynamodb: async () => {
    dynamo ??= await startDynamoDbLocal();
    return new DynamoDbTableStore({ client: dynamo.documentClient, tableName: await dynamo.createTable('audit'), clock });
  },
};
afterAll(() => dynamo?.stop());

describe.each(Object.keys(stores))('audit use cases on %s', (adapter) => {
  let store: TableStore;
  let blobDir: string;
  let blobs: BlobStore;
  beforeAll(async () => {
    await stores[adapter]!();
  });
  beforeEach(async () => {
    store = await stores[adapter]!();
    blobDir = mkdtempSync(join(tmpdir(), 'crm-audit-contract-'));
    blobs = createLocalBlobStore(blobDir);
  });
  afterEach(() => rmSync(blobDir, { recursive: true, force: true }));
  const chain = async (entries: AuditEntry[]) =>
    (await chainAndArchiveAuditRecords({ store, blobs }, entries.map((e, i) => ({ ref: String(i), entry: e })))).failedRefs;

  it('writes the record atomically with the change it describes', async () => {
    const e = entry(1);
    await store.transact([{ type: 'put', item: { pk: 'T#acme#C#C1', sk: 'PROFILE', name: 'x' } }, auditPutOperation(e)]);
    const failing = entry(2);
    await expect(store.transact([{ type: 'put', item: { pk: 'T#acme#C#C1', sk: 'PROFILE' }, condition: { kind: 'notExists' } }, auditPutOperation(failing)])).rejects.toThrow();
    expect(await store.get(auditKeys.record('acme', e.at, e.id))).toBeDefined();
    expect(await store.get(auditKeys.record('acme', failing.at, failing.id))).toBeUndefined();
  });

  it('chains, verifies (hashes survive the store round trip) and detects a modified record', async () => {
    const entries = [entry(1), entry(2), entry(3, 'bob')];
    for (const e of entries) await writeAudit(store, e);
    expect(await chain(entries)).toEqual([]);
    expect(await chain(entries)).toEqual([]); // redelivery
    expect(await verifyAuditChain(store, 'acme')).toEqual({ ok: true, checked: 3, nextSeq: null });
    await store.put(toAuditItem({ ...entries[2]!, before: { ...entries[2]!.before, name: 'Someone else' } }));
    expect(await verifyAuditChain(store, 'acme')).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });

  it('serialises two concurrent chainers into one chain', async () => {
    const a = [entry(1), entry(2), entry(3)];
    const b = [entry(4), entry(5), entry(6)];
    for (const e of [...a, ...b]) await writeAudit(store, e);
    const [ra, rb] = await Promise.all([chain(a), chain(b)]);
    expect([...ra, ...rb]).toEqual([]);
    expect(await verifyAuditChain(store, 'acme')).toEqual({ ok: true, checked: 6, nextSeq: null });
    expect(await store.get(auditKeys.chainHead('acme'))).toMatchObject({ seq: 6 });
  });

  it('lists through every index', async () => {
    const entries = [entry(1), entry(2, 'bob'), entry(1, 'bob')];
    for (const e of entries) await writeAudit(store, e);
    const list = async (q: Record<string, unknown>) => (await listAudit({ store, clock, ids }, ctx(), ListAuditQuery.parse(q))).items.map((e) => e.id);
    const [e1, e2, e3] = entries.map((e) => e.id);
    expect(await list({})).toEqual([e3, e2, e1]);
    expect(await list({ resource: 'customer', resourceId: 'C1' })).toEqual([e3, e1]);
    expect(await list({ actor: 'bob' })).toEqual([e3, e2]);
    expect(await list({ resource: 'customer', limit: 2 })).toEqual([e3, e2]);
  });
});
