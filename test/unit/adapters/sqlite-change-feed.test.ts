/**
 * The local change feed: changelog rows written by the SQLite table store in the same transaction
 * as the item, and their delivery to stream handlers in DynamoDBStreamEvent shape.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ChangeFeedDeliveryError,
  ChangeFeedDispatcher,
  LOCAL_STREAM_ARN,
  SqliteTableStore,
  openSqliteDatabase,
  type ChangeFeedConsumer,
  type ChangelogRow,
} from '@crm/adapters/sqlite';
import { TransactionConflictError, type Clock } from '@crm/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const T0 = Date.UTC(2040, 0, 1, 12, 0, 0, 250);

class TestClock implements Clock {
  constructor(public epochMs: number) {}
  now(): Date {
    return new Date(this.epochMs);
  }
}

let folder: string;
let dbPath: string;
let db: Database.Database;
let clock: TestClock;
let store: SqliteTableStore;
const dispatchers: ChangeFeedDispatcher[] = [];
const extraConnections: Database.Database[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'crm-change-feed-'));
  dbPath = join(folder, 'crm.sqlite');
  db = openSqliteDatabase(dbPath);
  clock = new TestClock(T0);
  store = new SqliteTableStore({ db, clock });
});

afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.stop()));
  for (const connection of extraConnections.splice(0)) connection.close();
  db.close();
  rmSync(folder, { recursive: true, force: true });
});

function changelog(): ChangelogRow[] {
  return db.prepare('SELECT * FROM changelog ORDER BY seq').all() as ChangelogRow[];
}

function dispatcher(
  consumers: ChangeFeedConsumer[],
  options: Partial<ConstructorParameters<typeof ChangeFeedDispatcher>[0]> = {},
): ChangeFeedDispatcher {
  const created = new ChangeFeedDispatcher({
    db,
    consumers,
    clock,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    onError: () => undefined,
    ...options,
  });
  dispatchers.push(created);
  return created;
}

/** A consumer that records every event it receives. */
function recorder(name: string, batchSize: number) {
  const events: DynamoDBStreamEvent[] = [];
  const consumer: ChangeFeedConsumer = {
    name,
    batchSize,
    handler: async (event) => {
      events.push(event);
    },
  };
  const sequenceNumbers = () => events.flatMap((event) => event.Records.map((record) => record.dynamodb!.SequenceNumber!));
  return { consumer, events, sequenceNumbers };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const seqOf = (record: DynamoDBRecord): number => Number(record.dynamodb!.SequenceNumber);

describe('changelog written by SqliteTableStore', () => {
  it('records INSERT, MODIFY and REMOVE with old and new images, nothing for an unchanged put', async () => {
    await store.put({ pk: 'T#1', sk: 'C#1', name: 'Ada', version: 1 });
    clock.epochMs += 1000;
    await store.put({ pk: 'T#1', sk: 'C#1', name: 'Ada L.', version: 2 });
    // Same attributes in another order: DynamoDB writes no stream record for an unchanged item.
    await store.put({ version: 2, name: 'Ada L.', sk: 'C#1', pk: 'T#1' });
    await store.delete({ pk: 'T#1', sk: 'C#1' });
    const rows = changelog();
    expect(rows.map((row) => [row.event_name, row.pk, row.sk])).toEqual([
      ['INSERT', 'T#1', 'C#1'],
      ['MODIFY', 'T#1', 'C#1'],
      ['REMOVE', 'T#1', 'C#1'],
    ]);
    const images = rows.map((row) => [
      row.new_image && JSON.parse(row.new_image),
      row.old_image && JSON.parse(row.old_image),
    ]);
    const v1 = { pk: 'T#1', sk: 'C#1', name: 'Ada', version: 1 };
    const v2 = { pk: 'T#1', sk: 'C#1', name: 'Ada L.', version: 2 };
    expect(images).toEqual([
      [v1, null],
      [v2, v1],
      [null, v2],
    ]);
    expect(rows.map((row) => row.created_at_ms)).toEqual([T0, T0 + 1000, T0 + 1000]);
    expect(rows.every((row) => row.user_identity === null)).toBe(true);
    expect(rows.map((row) => row.seq)).toEqual([...rows.map((row) => row.seq)].sort((a, b) => a - b));
  });

  it('writes nothing for a delete of an absent item or a failed condition', async () => {
    await store.delete({ pk: 'T#1', sk: 'NONE' });
    await store.put({ pk: 'T#1', sk: 'A' });
    await expect(store.put({ pk: 'T#1', sk: 'A' }, { condition: { kind: 'notExists' } })).rejects.toThrow();
    await expect(store.delete({ pk: 'T#1', sk: 'A' }, { condition: { kind: 'notExists' } })).rejects.toThrow();
    expect(changelog().map((row) => row.event_name)).toEqual(['INSERT']);
  });

  it('writes one row per put and delete of a transaction, none for condition checks or a failed transaction', async () => {
    await store.put({ pk: 'T#1', sk: 'OLD' });
    await store.put({ pk: 'T#1', sk: 'GUARD', version: 1 });
    const failing = store.transact([
      { type: 'put', item: { pk: 'T#1', sk: 'NEW' } },
      { type: 'delete', key: { pk: 'T#1', sk: 'OLD' } },
      { type: 'conditionCheck', key: { pk: 'T#1', sk: 'GUARD' }, condition: { kind: 'equals', attribute: 'version', value: 2 } },
    ]);
    await expect(failing).rejects.toBeInstanceOf(TransactionConflictError);
    expect(changelog()).toHaveLength(2);
    expect(await store.get({ pk: 'T#1', sk: 'NEW' })).toBeUndefined();

    await store.transact([
      { type: 'put', item: { pk: 'T#1', sk: 'NEW' } },
      { type: 'delete', key: { pk: 'T#1', sk: 'OLD' } },
      { type: 'delete', key: { pk: 'T#1', sk: 'NEVER-EXISTED' } },
      { type: 'conditionCheck', key: { pk: 'T#1', sk: 'GUARD' }, condition: { kind: 'equals', attribute: 'version', value: 1 } },
    ]);
    expect(changelog().slice(2).map((row) => [row.event_name, row.sk])).toEqual([
      ['INSERT', 'NEW'],
      ['REMOVE', 'OLD'],
    ]);
  });

  it('commits item and changelog row atomically: a failing changelog insert rolls the item back', async () => {
    db.exec(`CREATE TRIGGER reject_boom BEFORE INSERT ON changelog WHEN NEW.sk = 'BOOM'
             BEGIN SELECT RAISE(ABORT, 'changelog refused'); END`);
    await expect(store.put({ pk: 'T#1', sk: 'BOOM' })).rejects.toThrow('changelog refused');
    expect(await store.get({ pk: 'T#1', sk: 'BOOM' })).toBeUndefined();
    await expect(
      store.transact([
        { type: 'put', item: { pk: 'T#1', sk: 'FINE' } },
        { type: 'put', item: { pk: 'T#1', sk: 'BOOM' } },
      ]),
    ).rejects.toThrow('changelog refused');
    expect(await store.get({ pk: 'T#1', sk: 'FINE' })).toBeUndefined();
    expect(changelog()).toEqual([]);
  });

  it('deletes expired items like the TTL process, with the service userIdentity', async () => {
    const nowSeconds = Math.floor(T0 / 1000);
    await store.put({ pk: 'T#1', sk: 'EXPIRED', expiresAt: nowSeconds - 1 });
    await store.put({ pk: 'T#1', sk: 'LIVE', expiresAt: nowSeconds + 100 });
    expect(await store.deleteExpired()).toBe(1);
    const last = changelog().at(-1)!;
    expect([last.event_name, last.sk, last.new_image]).toEqual(['REMOVE', 'EXPIRED', null]);
    expect(JSON.parse(last.user_identity!)).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
    expect(await store.deleteExpired()).toBe(0);
    expect(db.prepare('SELECT sk FROM items').pluck().all()).toEqual(['LIVE']);
  });

  it('calls onCommit after committed writes only', async () => {
    const commits: number[] = [];
    const observed = new SqliteTableStore({
      db,
      clock,
      onCommit: () => commits.push(changelog().length),
    });
    await observed.put({ pk: 'T#1', sk: 'A' });
    await observed.delete({ pk: 'T#1', sk: 'ABSENT' });
    await expect(observed.put({ pk: 'T#1', sk: 'A' }, { condition: { kind: 'notExists' } })).rejects.toThrow();
    await observed.transact([{ type: 'put', item: { pk: 'T#1', sk: 'B' } }, { type: 'delete', key: { pk: 'T#1', sk: 'A' } }]);
    // Each callback saw its rows already committed.
    expect(commits).toEqual([1, 3]);
  });
});

describe('ChangeFeedDispatcher', () => {
  it('delivers records in order, shaped like the DynamoDBStreamEvent Lambda receives', async () => {
    await store.put({ pk: 'T#1', sk: 'C#1', name: 'Ada', tags: ['vip'], score: 1.5, active: true, note: null, address: { city: 'Berlin' } });
    clock.epochMs += 2000;
    await store.put({ pk: 'T#1', sk: 'C#1', name: 'Ada' });
    await store.delete({ pk: 'T#1', sk: 'C#1' });
    const { consumer, events } = recorder('projector', 10);
    await dispatcher([consumer]).drain();

    expect(events).toHaveLength(1);
    const [insert, modify, remove] = events[0]!.Records;
    const keys = { pk: { S: 'T#1' }, sk: { S: 'C#1' } };
    const firstImage = {
      pk: { S: 'T#1' },
      sk: { S: 'C#1' },
      name: { S: 'Ada' },
      tags: { L: [{ S: 'vip' }] },
      score: { N: '1.5' },
      active: { BOOL: true },
      note: { NULL: true },
      address: { M: { city: { S: 'Berlin' } } },
    };
    const common = {
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'local',
      eventSourceARN: LOCAL_STREAM_ARN,
    };
    expect(insert).toEqual({
      ...common,
      eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventName: 'INSERT',
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(T0 / 1000),
        Keys: keys,
        NewImage: firstImage,
        SequenceNumber: expect.stringMatching(/^\d{21}$/),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(modify).toEqual({
      ...common,
      eventID: expect.any(String),
      eventName: 'MODIFY',
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(T0 / 1000) + 2,
        Keys: keys,
        NewImage: { pk: { S: 'T#1' }, sk: { S: 'C#1' }, name: { S: 'Ada' } },
        OldImage: firstImage,
        SequenceNumber: expect.any(String),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(remove!.eventName).toBe('REMOVE');
    expect(remove!.dynamodb!.NewImage).toBeUndefined();
    expect(remove!.dynamodb!.OldImage).toEqual({ pk: { S: 'T#1' }, sk: { S: 'C#1' }, name: { S: 'Ada' } });
    expect(remove!).not.toHaveProperty('userIdentity');
    const records = events[0]!.Records;
    expect(new Set(records.map((record) => record.eventID)).size).toBe(3);
    expect(records.map((record) => record.dynamodb!.SequenceNumber)).toEqual(
      [...records.map((record) => record.dynamodb!.SequenceNumber!)].sort(),
    );
    expect(insert!.dynamodb!.SizeBytes).toBeGreaterThan(remove!.dynamodb!.SizeBytes!);
  });

  it('marks TTL deletions with the service userIdentity', async () => {
    await store.put({ pk: 'T#1', sk: 'SESSION', expiresAt: Math.floor(T0 / 1000) - 5 });
    await store.deleteExpired();
    const { consumer, events } = recorder('audit', 10);
    await dispatcher([consumer]).drain();
    expect(events[0]!.Records[1]!.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
  });

  it('honours each consumer’s batch size', async () => {
    for (let i = 0; i < 7; i++) await store.put({ pk: 'T#1', sk: `C#${i}` });
    const small = recorder('small', 3);
    const large = recorder('large', 100);
    await dispatcher([small.consumer, large.consumer]).drain();
    expect(small.events.map((event) => event.Records.length)).toEqual([3, 3, 1]);
    expect(large.events.map((event) => event.Records.length)).toEqual([7]);
    expect(small.sequenceNumbers()).toEqual(large.sequenceNumbers());
  });

  it('applies a consumer filter like Lambda event filtering: rejected records never reach it, the checkpoint moves past them', async () => {
    await store.put({ pk: 'T#1', sk: 'A', entity: 'customer' });
    await store.put({ pk: 'T#1', sk: 'B', entity: 'audit' });
    await store.put({ pk: 'T#1', sk: 'C', entity: 'customer' });
    await store.delete({ pk: 'T#1', sk: 'A' });
    await store.put({ pk: 'T#1', sk: 'D', entity: 'job' });
    const filtered = recorder('customers-only', 2);
    filtered.consumer.entities = ['customer'];
    const all = recorder('all', 100);
    const d = dispatcher([filtered.consumer, all.consumer]);
    await d.drain();
    expect(filtered.events.flatMap((e) => e.Records.map((r) => `${r.eventName}:${(r.dynamodb!.NewImage ?? r.dynamodb!.OldImage)!.sk!.S}`))).toEqual(['INSERT:A', 'INSERT:C', 'REMOVE:A']);
    // Filtered before batching: full batches of matching records, not a batch per window of rows.
    expect(filtered.events.map((e) => e.Records.length)).toEqual([2, 1]);
    expect(all.sequenceNumbers()).toHaveLength(5);
    // Nothing is redelivered: the filtered consumer's checkpoint is past the rejected records too.
    await store.put({ pk: 'T#1', sk: 'E', entity: 'audit' });
    await d.drain();
    expect(filtered.events.flatMap((e) => e.Records)).toHaveLength(3);
  });

  it('filters rows written before the changelog had an entity column by their image', async () => {
    await store.put({ pk: 'T#1', sk: 'A', entity: 'customer' });
    await store.put({ pk: 'T#1', sk: 'B', entity: 'audit' });
    expect(changelog().map((row) => row.entity)).toEqual(['customer', 'audit']);
    db.prepare('UPDATE changelog SET entity = NULL').run();
    const filtered = recorder('customers-only', 10);
    filtered.consumer.entities = ['customer'];
    await dispatcher([filtered.consumer]).drain();
    expect(filtered.events.flatMap((e) => e.Records.map((r) => r.dynamodb!.NewImage!.sk!.S))).toEqual(['A']);
  });

  it('persists checkpoints: a later dispatcher on the same file delivers only newer records', async () => {
    await store.put({ pk: 'T#1', sk: 'A' });
    const first = recorder('projector', 10);
    const one = dispatcher([first.consumer]);
    await one.drain();
    await one.stop();
    await store.put({ pk: 'T#1', sk: 'B' });

    const connection = openSqliteDatabase(dbPath);
    extraConnections.push(connection);
    const second = recorder('projector', 10);
    const two = dispatcher([second.consumer], { db: connection });
    await two.drain();
    expect(first.events.flatMap((event) => event.Records.map((record) => record.dynamodb!.Keys!.sk!.S))).toEqual(['A']);
    expect(second.events.flatMap((event) => event.Records.map((record) => record.dynamodb!.Keys!.sk!.S))).toEqual(['B']);
  });

  it('starts a new LATEST consumer after the existing records', async () => {
    await store.put({ pk: 'T#1', sk: 'BEFORE' });
    const latest = recorder('latest', 10);
    const feed = dispatcher([{ ...latest.consumer, startingPosition: 'LATEST' }]);
    await store.put({ pk: 'T#1', sk: 'AFTER' });
    await feed.drain();
    expect(latest.events.flatMap((event) => event.Records.map((record) => record.dynamodb!.Keys!.sk!.S))).toEqual(['AFTER']);
  });

  it('redelivers the in-flight batch after the process crashed before checkpointing', async () => {
    for (let i = 0; i < 3; i++) await store.put({ pk: 'T#1', sk: `C#${i}` });
    const fixture = fileURLToPath(new URL('./fixtures/change-feed-crash-consumer.ts', import.meta.url));
    const child = fork(fixture, [dbPath], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const inFlight = await new Promise<string[]>((resolve, reject) => {
        child.once('message', (message) => resolve((message as { sequenceNumbers: string[] }).sequenceNumbers));
        child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
      });
      expect(inFlight).toHaveLength(2);
      child.kill('SIGKILL');
      await exited;

      const connection = openSqliteDatabase(dbPath);
      extraConnections.push(connection);
      const after = recorder('projector', 2);
      const restarted = dispatcher([after.consumer], { db: connection });
      expect(restarted.checkpoint('projector')).toBe(0);
      await restarted.drain();
      expect(after.events[0]!.Records.map((record) => record.dynamodb!.SequenceNumber)).toEqual(inFlight);
      expect(after.sequenceNumbers()).toHaveLength(3);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('retries a throwing handler with backoff while other consumers keep flowing', async () => {
    for (let i = 0; i < 3; i++) await store.put({ pk: 'T#1', sk: `C#${i}` });
    const attempts: string[][] = [];
    const succeeded = deferred();
    const flaky: ChangeFeedConsumer = {
      name: 'flaky',
      batchSize: 10,
      handler: async (event) => {
        attempts.push(event.Records.map((record) => record.dynamodb!.SequenceNumber!));
        if (attempts.length < 3) throw new Error(`transient failure ${attempts.length}`);
        succeeded.resolve();
      },
    };
    const healthyDone = deferred();
    const healthy = recorder('healthy', 10);
    const errors: Array<[string, number]> = [];
    const feed = dispatcher(
      [
        flaky,
        {
          ...healthy.consumer,
          handler: async (event) => {
            await healthy.consumer.handler(event);
            healthyDone.resolve();
          },
        },
      ],
      { onError: (_error, context) => errors.push([context.consumer, context.attempt]) },
    );
    feed.start();
    await Promise.all([succeeded.promise, healthyDone.promise]);
    await feed.stop();
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((batch) => batch.join()))).toEqual(new Set([attempts[0]!.join()]));
    expect(errors).toEqual([
      ['flaky', 1],
      ['flaky', 2],
    ]);
    expect(healthy.events).toHaveLength(1);
    expect(feed.checkpoint('flaky')).toBe(seqOf(healthy.events[0]!.Records[2]!));
  });

  it('lets drain give up with ChangeFeedDeliveryError and keeps the checkpoint', async () => {
    await store.put({ pk: 'T#1', sk: 'A' });
    let calls = 0;
    const feed = dispatcher([
      {
        name: 'broken',
        batchSize: 10,
        handler: async () => {
          calls++;
          throw new Error('always');
        },
      },
    ]);
    const drained = feed.drain({ maxAttempts: 3 });
    await expect(drained).rejects.toBeInstanceOf(ChangeFeedDeliveryError);
    await expect(drained).rejects.toMatchObject({ consumer: 'broken', attempts: 3 });
    expect(calls).toBe(3);
    expect(feed.checkpoint('broken')).toBe(0);
  });

  it('resumes at the first reported batchItemFailure and redelivers it', async () => {
    for (let i = 0; i < 5; i++) await store.put({ pk: 'T#1', sk: `C#${i}` });
    const batches: string[][] = [];
    const feed = dispatcher([
      {
        name: 'partial',
        batchSize: 4,
        handler: async (event): Promise<DynamoDBBatchResponse> => {
          const sequenceNumbers = event.Records.map((record) => record.dynamodb!.SequenceNumber!);
          batches.push(sequenceNumbers);
          // First delivery: records 3 and 4 of the batch fail.
          return batches.length === 1
            ? { batchItemFailures: [{ itemIdentifier: sequenceNumbers[3]! }, { itemIdentifier: sequenceNumbers[2]! }] }
            : { batchItemFailures: [] };
        },
      },
    ]);
    await feed.drain();
    const all = changelog().map((row) => String(row.seq).padStart(21, '0'));
    expect(batches).toEqual([all.slice(0, 4), all.slice(2, 5)]);
    expect(feed.checkpoint('partial')).toBe(Number(all[4]));
  });

  it('treats an unknown batchItemFailure identifier as a failure of the whole batch', async () => {
    await store.put({ pk: 'T#1', sk: 'A' });
    await store.put({ pk: 'T#1', sk: 'B' });
    const batches: number[] = [];
    const feed = dispatcher([
      {
        name: 'confused',
        batchSize: 10,
        handler: async (event) => {
          batches.push(event.Records.length);
          return batches.length === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] } : undefined;
        },
      },
    ]);
    await feed.drain();
    expect(batches).toEqual([2, 2]);
  });

  it('stop() waits for the in-flight batch and saves its checkpoint', async () => {
    await store.put({ pk: 'T#1', sk: 'A' });
    const started = deferred();
    const release = deferred();
    const feed = dispatcher([
      {
        name: 'slow',
        batchSize: 10,
        handler: async () => {
          started.resolve();
          await release.promise;
        },
      },
    ]);
    feed.start();
    await started.promise;
    let stopped = false;
    const stopping = feed.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    expect(feed.checkpoint('slow')).toBe(0);
    release.resolve();
    await stopping;
    expect(feed.checkpoint('slow')).toBe(changelog()[0]!.seq);
  });

  it('notify() wakes an idle dispatcher at once (no waiting for the poll interval)', async () => {
    const delivered = deferred<DynamoDBStreamEvent>();
    const feed = dispatcher(
      [{ name: 'instant', batchSize: 10, handler: async (event) => delivered.resolve(event) }],
      { pollIntervalMs: 3_600_000 },
    );
    const notifying = new SqliteTableStore({ db, clock, onCommit: () => feed.notify() });
    feed.start();
    // Let the loop find nothing and go idle on its one-hour poll timer.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    await notifying.put({ pk: 'T#1', sk: 'NOW' });
    const event = await delivered.promise;
    expect(event.Records[0]!.dynamodb!.Keys).toEqual({ pk: { S: 'T#1' }, sk: { S: 'NOW' } });
  });

  it('prunes only rows older than the retention that every consumer has passed', async () => {
    for (let i = 0; i < 4; i++) {
      await store.put({ pk: 'T#1', sk: `C#${i}` });
      clock.epochMs += 60_000;
    }
    const seqs = changelog().map((row) => row.seq);
    const fast = recorder('fast', 10);
    const slow = recorder('slow', 2);
    const feed = dispatcher([fast.consumer, slow.consumer]);
    // Only `slow`'s first batch: rows 1-2 passed by both.
    await feed.drain();
    db.prepare('UPDATE change_feed_checkpoints SET last_seq = ? WHERE consumer = ?').run(seqs[1], 'slow');

    // Retention 150 s at T0+240 s: rows written at T0, T0+60 are old enough; T0+120, T0+180 are not.
    expect(feed.prune(150_000)).toBe(2);
    expect(changelog().map((row) => row.seq)).toEqual(seqs.slice(2));
    // Everything old enough, but `slow` has not passed rows 3-4.
    expect(feed.prune(0)).toBe(0);
    db.prepare('UPDATE change_feed_checkpoints SET last_seq = ? WHERE consumer = ?').run(seqs[2], 'slow');
    expect(feed.prune(0)).toBe(1);
    // Sequence numbers keep growing after pruning.
    await store.put({ pk: 'T#1', sk: 'LATER' });
    expect(changelog().at(-1)!.seq).toBe(seqs[3]! + 1);
  });
});
