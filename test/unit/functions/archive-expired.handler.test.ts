/**
 * The archiver on the local change feed: the SQLite TTL sweeper emits REMOVE records with the
 * service principal, the dispatcher delivers them to the real handler, and the reconciliation
 * proves N expired = N archived, including while the archive store fails for a while.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalArchiveStore } from '@crm/adapters/local-archive';
import { ChangeFeedDeliveryError, ChangeFeedDispatcher, SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { ARCHIVED_ENTITIES, interactionKeys, locatorItem, reconcileArchive, timelineItem, type ArchiveStore, type Clock, type Interaction, type Item } from '@crm/core';
import { manifest } from '@crm/manifest';
import { setContainer, ulidGenerator, type Container } from '@crm/runtime';
import type Database from 'better-sqlite3';
import { handler } from '../../../functions/analytics/archive-expired.handler';

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);

class TestClock implements Clock {
  constructor(public epochMs: number) {}
  now(): Date {
    return new Date(this.epochMs);
  }
}

/** The real local archive, failing the appends numbered in `failing` (1-based) like an S3 outage. */
class FlakyArchive implements ArchiveStore {
  appends = 0;
  constructor(private readonly inner: ArchiveStore, private readonly failing: Set<number>) {}
  async append(tenantId: string, customerId: string, items: readonly Item[]): Promise<string> {
    this.appends += 1;
    if (this.failing.has(this.appends)) throw new Error('archive unavailable');
    return this.inner.append(tenantId, customerId, items);
  }
  read: ArchiveStore['read'] = (...args) => this.inner.read(...args);
  batches: ArchiveStore['batches'] = (...args) => this.inner.batches(...args);
  remove: ArchiveStore['remove'] = (...args) => this.inner.remove(...args);
  count: ArchiveStore['count'] = (...args) => this.inner.count(...args);
  putProfile: ArchiveStore['putProfile'] = (...args) => this.inner.putProfile(...args);
  getProfile: ArchiveStore['getProfile'] = (...args) => this.inner.getProfile(...args);
  removeProfile: ArchiveStore['removeProfile'] = (...args) => this.inner.removeProfile(...args);
}

let folder: string;
let db: Database.Database;
let clock: TestClock;
let store: SqliteTableStore;
let archive: FlakyArchive;
let dispatcher: ChangeFeedDispatcher;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'crm-archiver-'));
  db = openSqliteDatabase(join(folder, 'crm.sqlite'));
  clock = new TestClock(T0);
  store = new SqliteTableStore({ db, clock });
  // Appends 2, 3 and 4 fail: the first batch writes one file, then fails; its retries fail on.
  archive = new FlakyArchive(new LocalArchiveStore({ root: join(folder, 'lake') }), new Set([2, 3, 4]));
  setContainer({ store, clock, ids: ulidGenerator(), logger: new Logger({ logLevel: 'SILENT' }), archive } as unknown as Container);
  dispatcher = new ChangeFeedDispatcher({
    db, clock, retry: { baseDelayMs: 1, maxDelayMs: 5 }, onError: () => undefined,
    consumers: [{ name: 'archive-expired', handler, batchSize: 7, entities: ARCHIVED_ENTITIES }],
  });
});

afterEach(async () => {
  await dispatcher.stop();
  setContainer(undefined as unknown as Container);
  db.close();
  rmSync(folder, { recursive: true, force: true });
});

const ids = ulidGenerator();
function interaction(customerId: string, n: number): Interaction {
  return {
    id: ids.next(), customerId, channel: 'sms', type: 'message', occurredAt: new Date(Date.UTC(2025, 0, 1 + n)).toISOString(),
    payload: { text: `m${n}`, direction: 'inbound' }, createdAt: '2025-01-01T00:00:00.000Z', createdBy: 'alice',
  };
}

function archivedLines(tenantId: string): string[] {
  const tenantDir = join(folder, 'lake/archive/timeline', `tenant=${tenantId}`);
  return readdirSync(tenantDir).flatMap((customer) => readdirSync(join(tenantDir, customer))
    .flatMap((file) => readFileSync(join(tenantDir, customer, file), 'utf8').trim().split('\n')));
}

describe('archive-expired handler on the local change feed', () => {
  it('archives every TTL removal exactly once, and reconciles even after the archive failed for a while', async () => {
    const expiresAt = T0 / 1000 + 60;
    const expiring: Array<[string, Interaction]> = [];
    for (const [tenantId, customers] of [['acme', ['C1', 'C2', 'C3']], ['globex', ['C9']]] as const) {
      for (const customerId of customers) for (let n = 0; n < 6; n += 1) expiring.push([tenantId, interaction(customerId, n)]);
    }
    for (const [tenantId, i] of expiring) {
      await store.transact([
        { type: 'put', item: { ...timelineItem(tenantId, i), expiresAt } },
        { type: 'put', item: { ...locatorItem(tenantId, i), expiresAt } },
      ]);
    }
    // Not archived: a user's delete of a timeline item, and a TTL removal of another entity.
    const deleted = interaction('C1', 40);
    await store.put(timelineItem('acme', deleted));
    await store.delete(interactionKeys.timeline('acme', 'C1', deleted.occurredAt, deleted.id));
    await store.put({ pk: 'T#acme#LEASE#C1', sk: 'LEASE', entity: 'claim-lease', tenantId: 'acme', customerId: 'C1', expiresAt });
    await dispatcher.drain();
    expect(archive.appends).toBe(0);

    clock.epochMs = T0 + 120_000;
    expect(await store.deleteExpired()).toBe(expiring.length * 2 + 1);

    // The archive fails: the dispatcher gives up for now, and the reconciliation shows the gap.
    await expect(dispatcher.drain({ maxAttempts: 2 })).rejects.toBeInstanceOf(ChangeFeedDeliveryError);
    const during = await reconcileArchive({ store, archive }, 'acme');
    expect(during.missing).toBeGreaterThan(0);
    expect(during.expired - during.archived).toBe(during.missing);

    // It recovers: the retries deliver the same batches again; nothing is lost or doubled.
    await dispatcher.drain({ maxAttempts: 5 });
    expect(await reconcileArchive({ store, archive }, 'acme')).toEqual({ expired: 18, archived: 18, missing: 0 });
    expect(await reconcileArchive({ store, archive }, 'globex')).toEqual({ expired: 6, archived: 6, missing: 0 });
    const lines = archivedLines('acme').map((line) => JSON.parse(line) as Item);
    expect(lines).toHaveLength(18);
    expect(new Set(lines.map((i) => i.id))).toEqual(new Set(expiring.filter(([t]) => t === 'acme').map(([, i]) => i.id)));
    expect(lines.every((i) => i.entity === 'interaction' && i.expiresAt === expiresAt)).toBe(true);
    expect((await archive.read('acme', 'C2', { limit: 2 })).items.map((i) => i.occurredAt)).toEqual(['2025-01-06T00:00:00.000Z', '2025-01-05T00:00:00.000Z']);
  });

  it('is subscribed to exactly the archived entities', () => {
    const entry = manifest.find((e) => e.name === 'archive-expired');
    expect(entry).toMatchObject({ kind: 'stream', entities: [...ARCHIVED_ENTITIES] });
  });

  it('ignores REMOVE records that are not the TTL process', async () => {
    const i = interaction('C1', 1);
    const image = { entity: { S: 'interaction' }, tenantId: { S: 'acme' }, customerId: { S: 'C1' }, pk: { S: 'T#acme#C#C1' }, sk: { S: `TL#${i.occurredAt}#${i.id}` } };
    const result = await handler({ Records: [{ eventID: 'e1', eventName: 'REMOVE', userIdentity: { type: 'Service', principalId: 'someone.else' }, dynamodb: { SequenceNumber: '1', OldImage: image } }] });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(archive.appends).toBe(0);
    expect(await reconcileArchive({ store, archive }, 'acme')).toEqual({ expired: 0, archived: 0, missing: 0 });
  });
});
