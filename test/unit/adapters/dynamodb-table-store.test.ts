/**
 * Offline tests of the DynamoDB adapter: the exact SDK command inputs it sends and how it maps
 * SDK errors. The SDK client is mocked (aws-sdk-client-mock); the adapter is real.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDbTableStore, createTableInput, timeToLiveInput } from '@crm/adapters/dynamodb';
import {
  ConditionFailedError,
  INDEX_NAMES,
  TransactionConflictError,
  type Clock,
  type SortKeyCondition,
} from '@crm/core';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

const TABLE = 'crm-table';
const NOW = Date.UTC(2040, 0, 1) / 1000;
const clock: Clock = { now: () => new Date(NOW * 1000) };

// A real client (never reaching the network): the mock replaces `send` on the prototype.
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);
const ddb = mockClient(DynamoDBDocumentClient);

function store(options: Partial<ConstructorParameters<typeof DynamoDbTableStore>[0]> = {}) {
  return new DynamoDbTableStore({ client, tableName: TABLE, clock, ...options });
}

const NOT_EXISTS = {
  ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt <= :now',
  ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt' },
  ExpressionAttributeValues: { ':now': NOW },
};
const EXISTS = {
  ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#expiresAt) OR #expiresAt > :now)',
  ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt' },
  ExpressionAttributeValues: { ':now': NOW },
};

function conditionalCheckFailed() {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
}

function transactionCanceled(codes: string[]) {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

beforeEach(() => {
  ddb.reset();
});

describe('DynamoDbTableStore.get', () => {
  it('sends GetItem with only the key, eventually consistent by default', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'T#1', sk: 'A', name: 'x' } });
    expect(await store().get({ pk: 'T#1', sk: 'A', extra: 'ignored' } as never)).toEqual({ pk: 'T#1', sk: 'A', name: 'x' });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({ TableName: TABLE, Key: { pk: 'T#1', sk: 'A' } });
  });

  it('asks for a consistent read when requested', async () => {
    ddb.on(GetCommand).resolves({});
    expect(await store().get({ pk: 'T#1', sk: 'A' }, { consistent: true })).toBeUndefined();
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'T#1', sk: 'A' },
      ConsistentRead: true,
    });
  });

  it('hides an item whose TTL has passed but which DynamoDB has not deleted yet', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'T#1', sk: 'A', expiresAt: NOW } });
    expect(await store().get({ pk: 'T#1', sk: 'A' })).toBeUndefined();
    ddb.on(GetCommand).resolves({ Item: { pk: 'T#1', sk: 'A', expiresAt: NOW + 1 } });
    expect(await store().get({ pk: 'T#1', sk: 'A' })).toEqual({ pk: 'T#1', sk: 'A', expiresAt: NOW + 1 });
  });
});

describe('DynamoDbTableStore.put / delete', () => {
  it('sends an unconditional PutItem with the item as is', async () => {
    ddb.on(PutCommand).resolves({});
    await store().put({ pk: 'T#1', sk: 'A', n: 1, gsi1pk: 'T#1#G', gsi1sk: 'S' });
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Item: { pk: 'T#1', sk: 'A', n: 1, gsi1pk: 'T#1#G', gsi1sk: 'S' },
    });
  });

  it('renders notExists so that an expired item counts as absent', async () => {
    ddb.on(PutCommand).resolves({});
    await store().put({ pk: 'T#1', sk: 'A' }, { condition: { kind: 'notExists' } });
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Item: { pk: 'T#1', sk: 'A' },
      ...NOT_EXISTS,
    });
  });

  it('renders exists with a liveness guard', async () => {
    ddb.on(PutCommand).resolves({});
    await store().put({ pk: 'T#1', sk: 'A' }, { condition: { kind: 'exists' } });
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Item: { pk: 'T#1', sk: 'A' },
      ...EXISTS,
    });
  });

  it('renders nested and/equals with placeholders for reserved and dotted names, guard added once', async () => {
    ddb.on(PutCommand).resolves({});
    await store().put(
      { pk: 'T#1', sk: 'A' },
      {
        condition: {
          kind: 'and',
          conditions: [
            { kind: 'equals', attribute: 'version', value: 3 },
            {
              kind: 'and',
              conditions: [
                { kind: 'equals', attribute: 'first.name', value: 'Ada' },
                { kind: 'equals', attribute: 'status', value: null },
              ],
            },
            { kind: 'exists' },
          ],
        },
      },
    );
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Item: { pk: 'T#1', sk: 'A' },
      ConditionExpression:
        '#version = :v0 AND #_0 = :v1 AND #status = :v2 AND attribute_exists(#pk) AND (attribute_not_exists(#expiresAt) OR #expiresAt > :now)',
      ExpressionAttributeNames: {
        '#version': 'version',
        '#_0': 'first.name',
        '#status': 'status',
        '#pk': 'pk',
        '#expiresAt': 'expiresAt',
      },
      ExpressionAttributeValues: { ':v0': 3, ':v1': 'Ada', ':v2': null, ':now': NOW },
    });
  });

  it('parenthesises notExists when combined', async () => {
    ddb.on(PutCommand).resolves({});
    await store().put(
      { pk: 'T#1', sk: 'A' },
      { condition: { kind: 'and', conditions: [{ kind: 'notExists' }, { kind: 'equals', attribute: 'x', value: true }] } },
    );
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.ConditionExpression).toBe(
      '(attribute_not_exists(#pk) OR #expiresAt <= :now) AND #x = :v0 AND (attribute_not_exists(#expiresAt) OR #expiresAt > :now)',
    );
  });

  it('sends no condition for an empty conjunction', async () => {
    ddb.on(PutCommand).resolves({});
    await store().put({ pk: 'T#1', sk: 'A' }, { condition: { kind: 'and', conditions: [] } });
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toEqual({ TableName: TABLE, Item: { pk: 'T#1', sk: 'A' } });
  });

  it('maps ConditionalCheckFailedException to ConditionFailedError', async () => {
    ddb.on(PutCommand).rejects(conditionalCheckFailed());
    await expect(store().put({ pk: 'T#1', sk: 'A' }, { condition: { kind: 'notExists' } })).rejects.toBeInstanceOf(
      ConditionFailedError,
    );
    ddb.on(DeleteCommand).rejects(conditionalCheckFailed());
    await expect(store().delete({ pk: 'T#1', sk: 'A' }, { condition: { kind: 'exists' } })).rejects.toBeInstanceOf(
      ConditionFailedError,
    );
  });

  it('passes other SDK errors through unchanged', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
    ddb.on(PutCommand).rejects(throttled);
    await expect(store().put({ pk: 'T#1', sk: 'A' })).rejects.toBe(throttled);
  });

  it('sends DeleteItem with only the key and the condition', async () => {
    ddb.on(DeleteCommand).resolves({});
    await store().delete({ pk: 'T#1', sk: 'A', name: 'whole item' } as never, { condition: { kind: 'exists' } });
    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'T#1', sk: 'A' },
      ...EXISTS,
    });
  });

  it('rejects invalid items before calling DynamoDB', async () => {
    await expect(store().put({ pk: 'T#1', sk: '' })).rejects.toThrow(TypeError);
    await expect(store().put({ pk: 'T#1', sk: 'A', expiresAt: '2040' })).rejects.toThrow(TypeError);
    await expect(store().put({ pk: 'T#1', sk: 'A', gsi4sk: 1, gsi4pk: 'x' })).rejects.toThrow(TypeError);
    await expect(store().put({ pk: 'T#1', sk: 'A', blob: 'x'.repeat(400 * 1024) })).rejects.toThrow(RangeError);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('DynamoDbTableStore.transact', () => {
  const operations = [
    { type: 'put' as const, item: { pk: 'T#1', sk: 'NEW', v: 1 }, condition: { kind: 'notExists' as const } },
    { type: 'put' as const, item: { pk: 'T#1', sk: 'LOOKUP' } },
    { type: 'delete' as const, key: { pk: 'T#1', sk: 'OLD' }, condition: { kind: 'exists' as const } },
    {
      type: 'conditionCheck' as const,
      key: { pk: 'T#1', sk: 'GUARD' },
      condition: { kind: 'equals' as const, attribute: 'version', value: 7 },
    },
  ];

  it('sends one TransactWriteItems with Put, Delete and ConditionCheck entries', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store().transact(operations);
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input).toEqual({
      TransactItems: [
        { Put: { TableName: TABLE, Item: { pk: 'T#1', sk: 'NEW', v: 1 }, ...NOT_EXISTS } },
        { Put: { TableName: TABLE, Item: { pk: 'T#1', sk: 'LOOKUP' } } },
        { Delete: { TableName: TABLE, Key: { pk: 'T#1', sk: 'OLD' }, ...EXISTS } },
        {
          ConditionCheck: {
            TableName: TABLE,
            Key: { pk: 'T#1', sk: 'GUARD' },
            ConditionExpression: '#version = :v0 AND (attribute_not_exists(#expiresAt) OR #expiresAt > :now)',
            ExpressionAttributeNames: { '#version': 'version', '#expiresAt': 'expiresAt' },
            ExpressionAttributeValues: { ':v0': 7, ':now': NOW },
          },
        },
      ],
    });
  });

  it('maps ConditionalCheckFailed cancellation reasons to failedIndexes', async () => {
    ddb.on(TransactWriteCommand).rejects(transactionCanceled(['None', 'ConditionalCheckFailed', 'None', 'ConditionalCheckFailed']));
    const attempt = store().transact(operations);
    await expect(attempt).rejects.toBeInstanceOf(TransactionConflictError);
    await expect(attempt).rejects.toMatchObject({ failedIndexes: [1, 3] });
  });

  it('reads the reasons from the message when CancellationReasons are missing', async () => {
    const error = transactionCanceled(['ConditionalCheckFailed', 'None']);
    delete (error as { CancellationReasons?: unknown }).CancellationReasons;
    ddb.on(TransactWriteCommand).rejects(error);
    await expect(store().transact(operations.slice(0, 2))).rejects.toMatchObject({ failedIndexes: [0] });
  });

  it('keeps cancellations for other reasons (throttling, capacity) as SDK errors', async () => {
    const error = transactionCanceled(['None', 'ThrottlingError']);
    ddb.on(TransactWriteCommand).rejects(error);
    await expect(store().transact(operations.slice(0, 2))).rejects.toBe(error);
  });

  it('validates before sending: no call for empty, oversized or duplicate-key transactions', async () => {
    await store().transact([]);
    const many = Array.from({ length: 101 }, (_, i) => ({ type: 'put' as const, item: { pk: 'T#1', sk: `S${i}` } }));
    await expect(store().transact(many)).rejects.toThrow(RangeError);
    await expect(
      store().transact([
        { type: 'put', item: { pk: 'T#1', sk: 'A' } },
        { type: 'delete', key: { pk: 'T#1', sk: 'A' } },
      ]),
    ).rejects.toThrow(RangeError);
    await expect(
      store().transact([{ type: 'conditionCheck', key: { pk: 'T#1', sk: 'A' }, condition: { kind: 'and', conditions: [] } }]),
    ).rejects.toThrow(TypeError);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('DynamoDbTableStore.query', () => {
  it('queries the table with a partition-only key condition, ascending by default', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'T#1', sk: 'A' }] });
    expect(await store().query({ partition: 'T#1', limit: 25 })).toEqual({ items: [{ pk: 'T#1', sk: 'A' }] });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':pk': 'T#1' },
      Limit: 25,
      ScanIndexForward: true,
    });
  });

  const sortKeyCases: Array<[SortKeyCondition, string, Record<string, string>]> = [
    [{ beginsWith: 'ORDER#' }, 'begins_with(#sk, :sk)', { ':sk': 'ORDER#' }],
    [{ between: ['A', 'C'] }, '#sk BETWEEN :skFrom AND :skTo', { ':skFrom': 'A', ':skTo': 'C' }],
    [{ gt: 'B' }, '#sk > :sk', { ':sk': 'B' }],
    [{ gte: 'B' }, '#sk >= :sk', { ':sk': 'B' }],
    [{ lt: 'B' }, '#sk < :sk', { ':sk': 'B' }],
    [{ lte: 'B' }, '#sk <= :sk', { ':sk': 'B' }],
    [{ equals: 'B' }, '#sk = :sk', { ':sk': 'B' }],
  ];

  it.each(sortKeyCases)('renders %o on the table', async (sortKey, expression, values) => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store().query({ partition: 'T#1', sortKey, limit: 10, consistent: true });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      KeyConditionExpression: `#pk = :pk AND ${expression}`,
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': 'T#1', ...values },
      Limit: 10,
      ScanIndexForward: true,
      ConsistentRead: true,
    });
  });

  it.each(['gsi1', 'gsi2', 'gsi3', 'gsi4'] as const)(
    'queries %s by its own key attributes, backwards from ExclusiveStartKey, never consistent',
    async (index) => {
      const startAfter = { pk: 'T#1#C', sk: 'X', [`${index}pk`]: 'T#1', [`${index}sk`]: '2024' };
      const lastKey = { pk: 'T#1#D', sk: 'Y', [`${index}pk`]: 'T#1', [`${index}sk`]: '2023' };
      ddb.on(QueryCommand).resolves({ Items: [{ pk: 'T#1#D', sk: 'Y' }], LastEvaluatedKey: lastKey });
      const page = await store().query({
        index,
        partition: 'T#1',
        sortKey: { lt: '2025' },
        limit: 1,
        forward: false,
        startAfter,
        consistent: true,
      });
      expect(page).toEqual({ items: [{ pk: 'T#1#D', sk: 'Y' }], lastKey });
      expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
        TableName: TABLE,
        IndexName: index,
        KeyConditionExpression: `#${index}pk = :pk AND #${index}sk < :sk`,
        ExpressionAttributeNames: { [`#${index}pk`]: `${index}pk`, [`#${index}sk`]: `${index}sk` },
        ExpressionAttributeValues: { ':pk': 'T#1', ':sk': '2025' },
        Limit: 1,
        ScanIndexForward: false,
        ExclusiveStartKey: startAfter,
      });
    },
  );

  it('drops expired items but keeps LastEvaluatedKey as lastKey', async () => {
    const lastKey = { pk: 'T#1', sk: 'C' };
    ddb.on(QueryCommand).resolves({
      Items: [
        { pk: 'T#1', sk: 'A', expiresAt: NOW - 1 },
        { pk: 'T#1', sk: 'B', expiresAt: 'not a number' },
        { pk: 'T#1', sk: 'C', expiresAt: NOW + 10 },
      ],
      LastEvaluatedKey: lastKey,
    });
    expect(await store().query({ partition: 'T#1', limit: 3 })).toEqual({
      items: [
        { pk: 'T#1', sk: 'B', expiresAt: 'not a number' },
        { pk: 'T#1', sk: 'C', expiresAt: NOW + 10 },
      ],
      lastKey,
    });
  });

  it('rejects invalid queries without calling DynamoDB', async () => {
    await expect(store().query({ partition: 'T#1', limit: 0 })).rejects.toThrow(RangeError);
    await expect(store().query({ partition: 'T#1', limit: 1001 })).rejects.toThrow(RangeError);
    await expect(store().query({ partition: '', limit: 1 })).rejects.toThrow(TypeError);
    await expect(store().query({ partition: 'T#1', limit: 1, sortKey: { between: ['é', 'z'] } })).rejects.toThrow(
      RangeError,
    );
    await expect(store().query({ partition: 'T#1', limit: 1, index: 'gsi9' as never })).rejects.toThrow(RangeError);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('DynamoDbTableStore.batchGet', () => {
  const key = (i: number) => ({ pk: 'T#1', sk: `S#${String(i).padStart(3, '0')}` });

  it('chunks by 100 distinct keys and returns items in the order of the keys', async () => {
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { sk: string }[] }> }) => ({
      // DynamoDB answers in any order; reverse to prove the adapter re-orders.
      Responses: { [TABLE]: [...input.RequestItems[TABLE]!.Keys].reverse().map((k) => ({ pk: 'T#1', sk: k.sk, found: true })) },
    }));
    const keys = [...Array.from({ length: 250 }, (_, i) => key(i)), key(0)];
    const items = await store().batchGet(keys);
    const calls = ddb.commandCalls(BatchGetCommand);
    expect(calls.map((call) => call.args[0].input.RequestItems![TABLE]!.Keys!.length)).toEqual([100, 100, 50]);
    expect(calls[0]!.args[0].input).toEqual({ RequestItems: { [TABLE]: { Keys: Array.from({ length: 100 }, (_, i) => key(i)) } } });
    expect(items.map((item) => item.sk)).toEqual(keys.map((k) => k.sk));
  });

  it('retries UnprocessedKeys with backoff and omits missing and expired items', async () => {
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [{ pk: 'T#1', sk: 'S#001' }] },
        UnprocessedKeys: { [TABLE]: { Keys: [key(2), key(3)] } },
      })
      .resolvesOnce({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: [key(3)] } } })
      .resolvesOnce({ Responses: { [TABLE]: [{ pk: 'T#1', sk: 'S#003', expiresAt: NOW - 5 }] } });
    const items = await store({ batchGetRetry: { baseDelayMs: 1 } }).batchGet([key(3), key(2), key(1)]);
    expect(items).toEqual([{ pk: 'T#1', sk: 'S#001' }]);
    const calls = ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems![TABLE]!.Keys);
    expect(calls).toEqual([[key(3), key(2), key(1)], [key(2), key(3)], [key(3)]]);
  });

  it('gives up after maxAttempts when keys stay unprocessed', async () => {
    ddb.on(BatchGetCommand).resolves({ UnprocessedKeys: { [TABLE]: { Keys: [key(1)] } } });
    await expect(store({ batchGetRetry: { baseDelayMs: 1, maxAttempts: 3 } }).batchGet([key(1)])).rejects.toThrow(
      /unprocessed after 3 attempts/,
    );
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(3);
  });

  it('does not call DynamoDB for an empty list', async () => {
    expect(await store().batchGet([])).toEqual([]);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('table definition', () => {
  it('declares string keys, the ALL-projection GSIs, on-demand billing and a NEW_AND_OLD_IMAGES stream', () => {
    const input = createTableInput('t');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.AttributeDefinitions).toHaveLength(2 + 2 * INDEX_NAMES.length);
    expect(input.AttributeDefinitions!.every((definition) => definition.AttributeType === 'S')).toBe(true);
    expect(input.GlobalSecondaryIndexes).toEqual(
      INDEX_NAMES.map((index) => ({
        IndexName: index,
        KeySchema: [
          { AttributeName: `${index}pk`, KeyType: 'HASH' },
          { AttributeName: `${index}sk`, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(timeToLiveInput('t')).toEqual({
      TableName: 't',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});

describe('transactions under contention', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const store = new DynamoDbTableStore({ client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'local' })), tableName: 't', clock: { now: () => new Date('2026-01-01T00:00:00Z') } });
  const conflict = (codes: string[]) => Object.assign(new Error(`Transaction cancelled [${codes.join(', ')}]`), {
    name: 'TransactionCanceledException', CancellationReasons: codes.map((Code) => ({ Code })),
  });
  beforeEach(() => ddb.reset());

  it('retries a transaction cancelled only by concurrent transactions, then succeeds', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(conflict(['TransactionConflict', 'None'])).resolves({});
    await store.transact([{ type: 'put', item: { pk: 'T#a#X', sk: 'S' } }, { type: 'put', item: { pk: 'T#a#Y', sk: 'S' } }]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('reports lasting contention as a TransactionConflictError naming the contended operations', async () => {
    ddb.on(TransactWriteCommand).rejects(conflict(['None', 'TransactionConflict']));
    await expect(store.transact([{ type: 'put', item: { pk: 'T#a#X', sk: 'S' } }, { type: 'put', item: { pk: 'T#a#Y', sk: 'S' } }]))
      .rejects.toMatchObject({ name: 'TransactionConflictError', failedIndexes: [1] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(5);
  });

  it('does not retry a failed condition', async () => {
    ddb.on(TransactWriteCommand).rejects(conflict(['ConditionalCheckFailed', 'TransactionConflict']));
    await expect(store.transact([{ type: 'put', item: { pk: 'T#a#X', sk: 'S' } }, { type: 'put', item: { pk: 'T#a#Y', sk: 'S' } }]))
      .rejects.toMatchObject({ name: 'TransactionConflictError', failedIndexes: [0] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
