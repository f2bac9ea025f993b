/**
 * Fidelity of the local change feed: the same writes go through the DynamoDB adapter (DynamoDB
 * Local, its stream read with the DynamoDB Streams API) and the SQLite adapter (changelog delivered
 * by the dispatcher). Both must produce the same records: event names, keys and both images.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamApiRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbTableStore } from '@crm/adapters/dynamodb';
import { ChangeFeedDispatcher, SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import type { TableStore } from '@crm/core';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

interface ComparableRecord {
  eventName: string | undefined;
  Keys: unknown;
  NewImage: unknown;
  OldImage: unknown;
  userIdentity: unknown;
}

/** Comparable part of a record, as plain JSON (the SDK and Lambda types differ only in typing). */
function comparable(record: DynamoDBRecord | StreamApiRecord): ComparableRecord {
  return JSON.parse(
    JSON.stringify({
      eventName: record.eventName,
      Keys: record.dynamodb?.Keys,
      NewImage: record.dynamodb?.NewImage ?? null,
      OldImage: record.dynamodb?.OldImage ?? null,
      userIdentity: record.userIdentity ?? null,
    }),
  ) as ComparableRecord;
}

/**
 * DynamoDB Local 3.3.0's Streams API serialises an empty map attribute as `{}` instead of
 * `{"M":{}}` (seen on the raw wire, not an SDK artefact; its GetItem answers correctly, and
 * AWS sends `{"M":{}}`, which is what Lambda handlers and `unmarshall` expect). Normalise that one
 * known emulator deviation, nothing else.
 */
function normaliseEmptyMaps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseEmptyMaps);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, attribute]) => {
      if (key === 'L') return [key, (attribute as unknown[]).map((element) => normaliseAttribute(element))];
      if (key === 'M') return [key, normaliseEmptyMaps(Object.fromEntries(
        Object.entries(attribute as object).map(([name, element]) => [name, normaliseAttribute(element)]),
      ))];
      return [key, attribute];
    }),
  );
}

function normaliseAttribute(attribute: unknown): unknown {
  if (typeof attribute === 'object' && attribute !== null && Object.keys(attribute).length === 0) return { M: {} };
  return normaliseEmptyMaps(attribute);
}

function normaliseImage(image: Record<string, unknown> | undefined): unknown {
  return image && Object.fromEntries(Object.entries(image).map(([name, attribute]) => [name, normaliseAttribute(attribute)]));
}

const swallow = (promise: Promise<unknown>): Promise<unknown> => promise.catch((error: unknown) => error);

/** The scenario: every kind of write, including ones that must not produce a record. */
async function writeScenario(store: TableStore): Promise<void> {
  const pk = 'TENANT#01J0000000000000000000000#CUSTOMER#1';
  await store.put({
    pk,
    sk: 'PROFILE',
    name: 'Ada Lovelace',
    version: 1,
    score: 1.5,
    zero: 0,
    negative: -3,
    active: true,
    archived: false,
    nickname: null,
    tags: ['vip', 'ü'],
    address: { city: 'Berlin', lines: ['Unter den Linden 1'], geo: { lat: 52.5, lng: 13.4 } },
    empty: { list: [], map: {}, text: '' },
    gsi1pk: 'TENANT#01J0000000000000000000000#EMAIL',
    gsi1sk: 'ada@example.com',
    expiresAt: 4102444800,
  });
  await store.put({ pk, sk: 'PROFILE', name: 'Ada King', version: 2 }, {
    condition: { kind: 'equals', attribute: 'version', value: 1 },
  });
  // An unchanged item (attribute order aside) produces no record.
  await store.put({ version: 2, name: 'Ada King', pk, sk: 'PROFILE' });
  // A change nested deep inside a map does.
  await store.put({ pk, sk: 'PROFILE', name: 'Ada King', version: 3, prefs: { mail: { weekly: true } } });
  await store.put({ pk, sk: 'PROFILE', name: 'Ada King', version: 3, prefs: { mail: { weekly: false } } });
  // Failed conditions and deletes of absent items write nothing.
  await swallow(store.put({ pk, sk: 'PROFILE', name: 'lost' }, { condition: { kind: 'notExists' } }));
  await store.delete({ pk, sk: 'NEVER' });
  await store.put({ pk, sk: 'NOTE#1', text: '中文 😀' });
  await store.transact([
    { type: 'put', item: { pk, sk: 'PHONE#+4930123', owner: 'PROFILE' }, condition: { kind: 'notExists' } },
    { type: 'delete', key: { pk, sk: 'NOTE#1' } },
    { type: 'conditionCheck', key: { pk, sk: 'PROFILE' }, condition: { kind: 'exists' } },
  ]);
  await swallow(
    store.transact([
      { type: 'put', item: { pk, sk: 'NOTE#2' } },
      { type: 'put', item: { pk, sk: 'PHONE#+4930123', owner: 'other' }, condition: { kind: 'notExists' } },
    ]),
  );
  await store.delete({ pk, sk: 'PROFILE' }, { condition: { kind: 'exists' } });
}

async function readDynamoDbStream(local: DynamoDbLocal, tableName: string, expected: number): Promise<StreamApiRecord[]> {
  const table = await local.client.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error('table has no stream');
  const streams = new DynamoDBStreamsClient(local.clientConfig);
  try {
    const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shards = description.StreamDescription?.Shards ?? [];
    const records: StreamApiRecord[] = [];
    // Records of one shard come in order; DynamoDB Local answers at once, the deadline only
    // bounds a broken stream.
    const deadline = Date.now() + 30_000;
    for (const shard of shards) {
      const iterator = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      let next = iterator.ShardIterator;
      while (next && records.length < expected && Date.now() < deadline) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: next }));
        records.push(...(page.Records ?? []));
        next = page.NextShardIterator;
        if ((page.Records ?? []).length === 0 && shards.length === 1) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
    return records;
  } finally {
    streams.destroy();
  }
}

describe('change feed fidelity: SQLite changelog vs DynamoDB Streams', () => {
  let local: DynamoDbLocal;
  let folder: string;

  beforeAll(async () => {
    local = await startDynamoDbLocal();
    folder = mkdtempSync(join(tmpdir(), 'crm-fidelity-'));
  });
  afterAll(async () => {
    await local?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('produces the same eventName, Keys, NewImage and OldImage sequence', async () => {
    const db = openSqliteDatabase(join(folder, 'crm.sqlite'));
    const localRecords: DynamoDBRecord[] = [];
    try {
      await writeScenario(new SqliteTableStore({ db }));
      const dispatcher = new ChangeFeedDispatcher({
        db,
        consumers: [{ name: 'fidelity', batchSize: 100, handler: async (event) => void localRecords.push(...event.Records) }],
      });
      await dispatcher.drain();
    } finally {
      db.close();
    }

    const tableName = await local.createTable('crm-fidelity');
    await writeScenario(new DynamoDbTableStore({ client: local.documentClient, tableName }));
    const aws = await readDynamoDbStream(local, tableName, localRecords.length);

    expect(localRecords.map((record) => record.eventName)).toEqual([
      'INSERT', 'MODIFY', 'MODIFY', 'MODIFY', 'INSERT', 'INSERT', 'REMOVE', 'REMOVE',
    ]);
    const sortedBySequence = [...aws].sort((a, b) =>
      (a.dynamodb?.SequenceNumber ?? '').localeCompare(b.dynamodb?.SequenceNumber ?? '', 'en', { numeric: true }),
    );
    const awsComparable = sortedBySequence.map(comparable).map((record) => ({
      ...record,
      NewImage: normaliseImage(record.NewImage as Record<string, unknown> | undefined) ?? null,
      OldImage: normaliseImage(record.OldImage as Record<string, unknown> | undefined) ?? null,
    }));
    expect(awsComparable).toEqual(localRecords.map(comparable));
  });
});
