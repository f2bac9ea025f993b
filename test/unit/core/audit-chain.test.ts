import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalBlobStore } from '@crm/adapters/local-blob';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import {
  appendToAuditChain, auditArchiveKey, auditChainHash, auditEntryFrom, auditKeys, chainAndArchiveAuditRecords, GENESIS_HASH,
  toAuditItem, verifyAuditChain, writeAudit, type AuditEntry, type BlobStore, type Clock, type Item, type RequestContext, type TableStore,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';

const T = 'acme';
let now = Date.parse('2026-11-25T10:00:00.000Z');
const clock: Clock = { now: () => new Date((now += 1000)) };
const ids = ulidGenerator();
const ctx = (tenantId = T, subject = 'alice'): RequestContext => ({
  principal: { tenantId, kind: 'user', subject, roles: ['sales'], scopes: [] },
  requestId: 'req-1',
  sourceIp: '203.0.113.9',
  userAgent: 'vitest',
});
const entry = (n: number, tenantId = T): AuditEntry =>
  auditEntryFrom(ctx(tenantId), { action: 'customers:update', resource: 'customer', resourceId: `C${n}`, changes: [{ field: 'name', before: `old ${n}`, after: `new ${n}` }] }, clock, ids);

let store: SqliteTableStore;
let blobDir: string;
let blobs: BlobStore;
beforeEach(() => {
  store = new SqliteTableStore({ db: openSqliteDatabase(':memory:') });
  blobDir = mkdtempSync(join(tmpdir(), 'crm-audit-blobs-'));
  blobs = createLocalBlobStore(blobDir);
});
afterEach(() => rmSync(blobDir, { recursive: true, force: true }));

/** Writes the records (as the use cases would) and chains them (as the stream consumer would). */
async function recordAndChain(entries: AuditEntry[]): Promise<void> {
  for (const e of entries) await writeAudit(store, e);
  await chain(entries);
}

/** Delivers the records to the chain use case as the change feed would (again, on redelivery). */
async function chain(entries: AuditEntry[]): Promise<void> {
  const { failedRefs } = await chainAndArchiveAuditRecords({ store, blobs }, entries.map((e, i) => ({ ref: String(i), entry: e })));
  expect(failedRefs).toEqual([]);
}

const link = (seq: number) => store.get(auditKeys.chainLink(T, seq)) as Promise<Item>;

describe('audit hash chain', () => {
  it('links records in order from the genesis hash and verifies them', async () => {
    const entries = [entry(1), entry(2), entry(3)];
    await recordAndChain(entries);
    const first = await link(1);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, hash: auditChainHash(GENESIS_HASH, entries[0]!), recordId: entries[0]!.id });
    expect((await link(3)).prevHash).toBe((await link(2)).hash);
    expect(await store.get(auditKeys.chainHead(T))).toMatchObject({ seq: 3, hash: (await link(3)).hash });
    expect(await verifyAuditChain(store, T)).toEqual({ ok: true, checked: 3, nextSeq: null });
  });

  it('archives every chained record under audit/tenant=<t>/date=<d>/ with its link', async () => {
    const entries = [entry(1), entry(2)];
    await recordAndChain(entries);
    const keys = await blobs.list(`audit/tenant=${T}/`);
    expect(keys).toEqual([auditArchiveKey(entries[0]!, 1), auditArchiveKey(entries[1]!, 2)]);
    expect(keys[0]).toBe(`audit/tenant=acme/date=2026-11-25/000000000000001-${entries[0]!.id}.json`);
    const archived = JSON.parse((await blobs.get(keys[1]!))!.toString('utf8'));
    expect(archived).toEqual({ seq: 2, prevHash: (await link(1)).hash, hash: (await link(2)).hash, record: entries[1] });
    // The archive alone is enough to recompute the hash.
    expect(auditChainHash(archived.prevHash, archived.record)).toBe(archived.hash);
  });

  it('keeps one chain per tenant', async () => {
    await recordAndChain([entry(1), entry(1, 'globex'), entry(2)]);
    expect(await verifyAuditChain(store, T)).toMatchObject({ ok: true, checked: 2 });
    expect(await verifyAuditChain(store, 'globex')).toMatchObject({ ok: true, checked: 1 });
  });

  it('verifies an empty chain', async () => {
    expect(await verifyAuditChain(store, T)).toEqual({ ok: true, checked: 0, nextSeq: null });
  });

  it('verifies in segments with fromSeq/limit', async () => {
    await recordAndChain([entry(1), entry(2), entry(3), entry(4), entry(5)]);
    expect(await verifyAuditChain(store, T, { limit: 2 })).toEqual({ ok: true, checked: 2, nextSeq: 3 });
    expect(await verifyAuditChain(store, T, { fromSeq: 3, limit: 2 })).toEqual({ ok: true, checked: 2, nextSeq: 5 });
    expect(await verifyAuditChain(store, T, { fromSeq: 5, limit: 2 })).toEqual({ ok: true, checked: 1, nextSeq: null });
  });

  describe('detects tampering', () => {
    let entries: AuditEntry[];
    beforeEach(async () => {
      entries = [entry(1), entry(2), entry(3), entry(4)];
      await recordAndChain(entries);
    });
    const broken = async () => verifyAuditChain(store, T);

    it('a modified record', async () => {
      const item = toAuditItem({ ...entries[1]!, outcome: 'denied' });
      await store.put(item);
      expect(await broken()).toMatchObject({ ok: false, firstBrokenSeq: 2, checked: 1, reason: 'record or link modified' });
    });

    it('a record with a changed nested value', async () => {
      await store.put(toAuditItem({ ...entries[2]!, changes: [{ field: 'name', before: 'old 3', after: 'forged' }] }));
      expect(await broken()).toMatchObject({ ok: false, firstBrokenSeq: 3 });
    });

    it('a deleted record', async () => {
      await store.delete(auditKeys.record(T, entries[2]!.at, entries[2]!.id));
      expect(await broken()).toMatchObject({ ok: false, firstBrokenSeq: 3, reason: 'record missing' });
    });

    it('a modified link hash', async () => {
      await store.put({ ...(await link(2)), hash: 'f'.repeat(64) });
      expect(await broken()).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    });

    it('a link re-pointed at another record', async () => {
      await store.put({ ...(await link(2)), recordId: entries[0]!.id, recordKey: auditKeys.record(T, entries[0]!.at, entries[0]!.id) });
      expect(await broken()).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    });

    it('a deleted link in the middle', async () => {
      await store.delete(auditKeys.chainLink(T, 2));
      expect(await broken()).toMatchObject({ ok: false, firstBrokenSeq: 2, checked: 1 });
    });

    it('a deleted last link (truncated tail)', async () => {
      await store.delete(auditKeys.chainLink(T, 4));
      expect(await broken()).toMatchObject({ ok: false, firstBrokenSeq: 4, checked: 3 });
    });

    it('a truncated tail with the head rewound is still caught by a stale head hash', async () => {
      await store.delete(auditKeys.chainLink(T, 4));
      await store.put({ ...(await store.get(auditKeys.chainHead(T)))!, seq: 3 });
      expect(await broken()).toMatchObject({ ok: false, firstBrokenSeq: 3, reason: 'head does not match the last link' });
    });

    it('reordered links', async () => {
      const [two, three] = [await link(2), await link(3)];
      await store.put({ ...three, pk: two.pk, sk: two.sk });
      await store.put({ ...two, pk: three.pk, sk: three.sk });
      expect(await broken()).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    });

    it('reordered links with renumbered seq', async () => {
      const [two, three] = [await link(2), await link(3)];
      await store.put({ ...three, pk: two.pk, sk: two.sk, seq: 2 });
      await store.put({ ...two, pk: three.pk, sk: three.sk, seq: 3 });
      expect(await broken()).toMatchObject({ ok: false, firstBrokenSeq: 2, reason: 'link does not follow its predecessor' });
    });
  });

  it('is idempotent for redelivered records (same batch twice, overlapping batches)', async () => {
    const entries = [entry(1), entry(2), entry(3)];
    await recordAndChain(entries.slice(0, 2));
    const headBefore = await store.get(auditKeys.chainHead(T));
    await chain(entries.slice(0, 2)); // redelivery of the same stream records
    expect(await store.get(auditKeys.chainHead(T))).toEqual(headBefore);
    await writeAudit(store, entries[2]!);
    await chain(entries); // a batch that overlaps the chained ones
    expect(await store.get(auditKeys.chainHead(T))).toMatchObject({ seq: 3 });
    expect(await verifyAuditChain(store, T)).toMatchObject({ ok: true, checked: 3 });
    expect(await blobs.list('audit/')).toHaveLength(3);
  });

  it('two chainers racing on one tenant build one chain without forks', async () => {
    const a = [entry(1), entry(2), entry(3)];
    const b = [entry(4), entry(5)];
    for (const e of [...a, ...b]) await writeAudit(store, e);
    const racing = headBarrier(store, 2);
    let conflicts = 0;
    const pause = async () => void conflicts++;
    const [linksA, linksB] = await Promise.all([
      appendToAuditChain(racing, T, a, { pause }),
      appendToAuditChain(racing, T, [...b, a[0]!], { pause }), // also redelivers one of A's records
    ]);
    expect(conflicts).toBeGreaterThanOrEqual(1); // both read the same head; one had to retry
    const seqs = [...linksA.values(), ...linksB.values()].map((l) => l.seq);
    expect(new Set(seqs)).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(linksB.get(a[0]!.id)).toEqual(linksA.get(a[0]!.id));
    expect(await verifyAuditChain(store, T)).toEqual({ ok: true, checked: 5, nextSeq: null });
  });

  it('reports every record of a tenant as failed when its chain cannot be written', async () => {
    const e = entry(1);
    await writeAudit(store, e);
    const failing: BlobStore = { put: async () => { throw new Error('bucket unavailable'); }, get: async () => undefined, list: async () => [] };
    const errors: unknown[] = [];
    const result = await chainAndArchiveAuditRecords({ store, blobs: failing }, [{ ref: '7', entry: e }], { onError: (error) => errors.push(error) });
    expect(result.failedRefs).toEqual(['7']);
    expect(errors).toHaveLength(1);
    // The chain committed; redelivery re-archives without linking again.
    const retry = await chainAndArchiveAuditRecords({ store, blobs }, [{ ref: '7', entry: e }]);
    expect(retry.failedRefs).toEqual([]);
    expect(await blobs.list('audit/')).toEqual([auditArchiveKey(e, 1)]);
    expect(await store.get(auditKeys.chainHead(T))).toMatchObject({ seq: 1 });
  });
});

/** Holds the first `parties` reads of a chain head until all of them have read it (forces a race). */
function headBarrier(inner: TableStore, parties: number): TableStore {
  const waiting: Array<() => void> = [];
  let armed = true;
  return {
    async get(key, options) {
      const item = await inner.get(key, options);
      if (armed && key.sk === 'HEAD') {
        await new Promise<void>((release) => {
          waiting.push(release);
          if (waiting.length === parties) {
            armed = false;
            waiting.forEach((r) => r());
          }
        });
      }
      return item;
    },
    batchGet: (keys) => inner.batchGet(keys),
    put: (item, options) => inner.put(item, options),
    delete: (key, options) => inner.delete(key, options),
    transact: (operations) => inner.transact(operations),
    transactEach: (groups) => inner.transactEach(groups),
    query: (input) => inner.query(input),
  };
}
