import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { TranslateConfig } from '@aws-sdk/lib-dynamodb';
import {
  ConditionFailedError,
  KEY_ATTRIBUTES,
  TransactionConflictError,
  indexKeyAttributes,
  systemClock,
  type Clock,
  type Condition,
  type Item,
  type ItemKey,
  type QueryInput,
  type QueryPage,
  type SortKeyCondition,
  type TableStore,
  type TransactOperation,
  type WriteOptions,
} from '@crm/core';
import { ExpressionContext, renderCondition, type RenderedExpression } from './condition-expression';
import {
  MAX_BATCH_GET_KEYS,
  assertValidItem,
  assertValidKey,
  assertValidQuery,
  assertValidTransaction,
  epochSeconds,
  isExpired,
  itemKeyId,
} from '../shared/table-store-rules';

const BATCH_GET_CONCURRENCY = 4;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Marshalling options the injected DocumentClient should be created with:
 * `DynamoDBDocumentClient.from(client, documentClientTranslateConfig)`. Undefined attributes are
 * dropped (as JSON does in the SQLite adapter) instead of failing the write.
 */
export const documentClientTranslateConfig = {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  unmarshallOptions: { wrapNumbers: false },
} satisfies TranslateConfig;

/** Construction options of DynamoDbTableStore. */
export interface DynamoDbTableStoreOptions {
  /** Created once per container by the composition root, never per call. */
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Decides which items count as expired; defaults to the system clock. */
  clock?: Clock;
  /** Backoff for BatchGetItem's UnprocessedKeys (throttling or the 16 MB response cap). */
  batchGetRetry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
}

/**
 * Table store on a DynamoDB single table through `@aws-sdk/lib-dynamodb`.
 * Port conditions become ConditionExpressions (see `renderCondition`); expired items that DynamoDB
 * has not yet deleted are filtered from reads and treated as absent by conditions.
 */
export class DynamoDbTableStore implements TableStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };

  constructor(options: DynamoDbTableStoreOptions) {
    if (!options.tableName) throw new TypeError('DynamoDbTableStore needs a tableName');
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.clock ?? systemClock;
    this.retry = {
      maxAttempts: options.batchGetRetry?.maxAttempts ?? 8,
      baseDelayMs: options.batchGetRetry?.baseDelayMs ?? 50,
      maxDelayMs: options.batchGetRetry?.maxDelayMs ?? 2000,
    };
  }

  async get(key: ItemKey, options?: { consistent?: boolean }): Promise<Item | undefined> {
    assertValidKey(key);
    const output = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: toKey(key),
        ...(options?.consistent ? { ConsistentRead: true } : {}),
      }),
    );
    const item = output.Item as Item | undefined;
    return item && !isExpired(item, epochSeconds(this.clock)) ? item : undefined;
  }

  async batchGet(keys: ItemKey[]): Promise<Item[]> {
    keys.forEach(assertValidKey);
    // BatchGetItem rejects duplicate keys in one request, so ask once per distinct key.
    const distinct = new Map<string, Record<string, string>>();
    for (const key of keys) distinct.set(itemKeyId(key), toKey(key));
    const chunks: Record<string, string>[][] = [];
    const unique = [...distinct.values()];
    for (let start = 0; start < unique.length; start += MAX_BATCH_GET_KEYS) {
      chunks.push(unique.slice(start, start + MAX_BATCH_GET_KEYS));
    }
    const found = new Map<string, Item>();
    // A few requests in flight at once: fast for typical sizes without a burst of hundreds of
    // parallel calls (and throttling) for very large key lists.
    for (let start = 0; start < chunks.length; start += BATCH_GET_CONCURRENCY) {
      await Promise.all(
        chunks.slice(start, start + BATCH_GET_CONCURRENCY).map(async (chunk) => {
          for (const item of await this.batchGetChunk(chunk)) found.set(itemKeyId(item), item);
        }),
      );
    }
    const now = epochSeconds(this.clock);
    const result: Item[] = [];
    for (const key of keys) {
      const item = found.get(itemKeyId(key));
      if (item && !isExpired(item, now)) result.push(item);
    }
    return result;
  }

  private async batchGetChunk(keys: Record<string, string>[]): Promise<Item[]> {
    const items: Item[] = [];
    let pending = keys;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        if (attempt >= this.retry.maxAttempts) {
          throw new Error(
            `BatchGetItem left ${pending.length} keys unprocessed after ${attempt} attempts`,
          );
        }
        await sleep(backoffDelay(attempt, this.retry.baseDelayMs, this.retry.maxDelayMs));
      }
      const output = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
      );
      items.push(...((output.Responses?.[this.tableName] ?? []) as Item[]));
      pending = (output.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, string>[];
    }
    return items;
  }

  async put(item: Item, options?: WriteOptions): Promise<void> {
    assertValidItem(item);
    const condition = this.condition(options?.condition);
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ...condition }),
      );
    } catch (error) {
      throw mapWriteError(error);
    }
  }

  async delete(key: ItemKey, options?: WriteOptions): Promise<void> {
    assertValidKey(key);
    const condition = this.condition(options?.condition);
    try {
      await this.client.send(
        new DeleteCommand({ TableName: this.tableName, Key: toKey(key), ...condition }),
      );
    } catch (error) {
      throw mapWriteError(error);
    }
  }

  async transact(operations: TransactOperation[]): Promise<void> {
    assertValidTransaction(operations);
    // TransactWriteItems rejects an empty list; an empty transaction trivially succeeds.
    if (operations.length === 0) return;
    const transactItems = operations.map((operation) => this.transactItem(operation));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: transactItems }));
        return;
      } catch (error) {
        const conflicts = concurrentTransactionIndexes(error);
        // Another transaction held one of the items: nothing was written and our conditions were
        // never evaluated, so trying again is safe. The SDK does not retry this on its own.
        if (conflicts.length > 0 && attempt < TRANSACTION_CONFLICT_ATTEMPTS) {
          await sleep(backoffDelay(attempt, 20, 400));
          continue;
        }
        // Still contended: report it like a failed condition, so callers re-read and decide (409/412).
        throw conflicts.length > 0 ? new TransactionConflictError(conflicts, 'Transaction cancelled: concurrent transactions on the same items') : mapTransactError(error);
      }
    }
  }

  async transactEach(groups: TransactOperation[][]): Promise<Array<Error | undefined>> {
    const results: Array<Error | undefined> = new Array(groups.length).fill(undefined);
    let next = 0;
    // Each group is its own TransactWriteItems call; a few in flight at once.
    await Promise.all(Array.from({ length: Math.min(TRANSACT_EACH_CONCURRENCY, groups.length) }, async () => {
      for (let index = next++; index < groups.length; index = next++) {
        try {
          await this.transact(groups[index]!);
        } catch (error) {
          results[index] = error as Error;
        }
      }
    }));
    return results;
  }

  private transactItem(operation: TransactOperation): TransactItem {
    const condition = this.condition(operation.condition);
    switch (operation.type) {
      case 'put':
        return { Put: { TableName: this.tableName, Item: operation.item, ...condition } };
      case 'delete':
        return { Delete: { TableName: this.tableName, Key: toKey(operation.key), ...condition } };
      case 'conditionCheck': {
        return {
          ConditionCheck: {
            TableName: this.tableName,
            Key: toKey(operation.key),
            // assertValidTransaction guarantees a non-empty condition here.
            ConditionExpression: condition.ConditionExpression ?? '',
            ...(condition.ExpressionAttributeNames
              ? { ExpressionAttributeNames: condition.ExpressionAttributeNames }
              : {}),
            ...(condition.ExpressionAttributeValues
              ? { ExpressionAttributeValues: condition.ExpressionAttributeValues }
              : {}),
          },
        };
      }
    }
  }

  async query(input: QueryInput): Promise<QueryPage> {
    assertValidQuery(input);
    const keyAttributes = input.index
      ? indexKeyAttributes(input.index)
      : { pk: KEY_ATTRIBUTES.pk, sk: KEY_ATTRIBUTES.sk };
    const context = new ExpressionContext();
    const partitionCondition = `${context.name(keyAttributes.pk)} = ${context.namedValue('pk', input.partition)}`;
    const sortCondition = input.sortKey
      ? renderSortKeyCondition(input.sortKey, context.name(keyAttributes.sk), context)
      : undefined;
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(input.index ? { IndexName: input.index } : {}),
        KeyConditionExpression: sortCondition
          ? `${partitionCondition} AND ${sortCondition}`
          : partitionCondition,
        ExpressionAttributeNames: context.names,
        ExpressionAttributeValues: context.values,
        Limit: input.limit,
        ScanIndexForward: input.forward !== false,
        ...(input.startAfter ? { ExclusiveStartKey: input.startAfter } : {}),
        // GSIs reject ConsistentRead: true, and the port documents it as table-only.
        ...(input.consistent && !input.index ? { ConsistentRead: true } : {}),
      }),
    );
    const now = epochSeconds(this.clock);
    // Filtered after the read, like a FilterExpression: Limit counts evaluated items, so a page
    // may hold fewer than `limit` items while `lastKey` still says more may follow.
    const items = ((output.Items ?? []) as Item[]).filter((item) => !isExpired(item, now));
    return output.LastEvaluatedKey
      ? { items, lastKey: output.LastEvaluatedKey as Record<string, string> }
      : { items };
  }

  private condition(condition: Condition | undefined): {
    ConditionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    if (!condition) return {};
    const rendered: RenderedExpression | undefined = renderCondition(
      condition,
      epochSeconds(this.clock),
    );
    if (!rendered) return {};
    return {
      ConditionExpression: rendered.expression,
      ExpressionAttributeNames: rendered.names,
      ...(Object.keys(rendered.values).length > 0
        ? { ExpressionAttributeValues: rendered.values }
        : {}),
    };
  }
}

function toKey(key: ItemKey): Record<string, string> {
  // Only the key attributes: callers may pass whole items where a key is expected.
  return { [KEY_ATTRIBUTES.pk]: key.pk, [KEY_ATTRIBUTES.sk]: key.sk };
}

function renderSortKeyCondition(
  condition: SortKeyCondition,
  attribute: string,
  context: ExpressionContext,
): string {
  if ('beginsWith' in condition) {
    return `begins_with(${attribute}, ${context.namedValue('sk', condition.beginsWith)})`;
  }
  if ('between' in condition) {
    const [from, to] = condition.between;
    return `${attribute} BETWEEN ${context.namedValue('skFrom', from)} AND ${context.namedValue('skTo', to)}`;
  }
  if ('gt' in condition) return `${attribute} > ${context.namedValue('sk', condition.gt)}`;
  if ('gte' in condition) return `${attribute} >= ${context.namedValue('sk', condition.gte)}`;
  if ('lt' in condition) return `${attribute} < ${context.namedValue('sk', condition.lt)}`;
  if ('lte' in condition) return `${attribute} <= ${context.namedValue('sk', condition.lte)}`;
  return `${attribute} = ${context.namedValue('sk', condition.equals)}`;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function mapWriteError(error: unknown): unknown {
  if (errorName(error) === 'ConditionalCheckFailedException') {
    return new ConditionFailedError();
  }
  return error;
}

interface CancellationReasonLike {
  Code?: string;
}

/**
 * Maps a cancelled transaction to the port's TransactionConflictError when conditions failed.
 * Cancellations for other reasons (a concurrent transaction, throttling) stay SDK errors so the
 * caller's retry policy can tell them apart.
 */
function mapTransactError(error: unknown): unknown {
  if (errorName(error) !== 'TransactionCanceledException') return error;
  const reasons = (error as { CancellationReasons?: CancellationReasonLike[] }).CancellationReasons;
  const codes = reasons
    ? reasons.map((reason) => reason.Code ?? 'None')
    : parseCancellationCodes((error as Error).message);
  const failedIndexes = codes.flatMap((code, index) =>
    code === 'ConditionalCheckFailed' ? [index] : [],
  );
  return failedIndexes.length > 0 ? new TransactionConflictError(failedIndexes) : error;
}

/** TransactWriteItems calls one transactEach keeps in flight (SDK sockets default to 50). */
const TRANSACT_EACH_CONCURRENCY = 16;

/** Attempts of a transaction that keeps colliding with concurrent transactions on its items. */
const TRANSACTION_CONFLICT_ATTEMPTS = 5;

/**
 * Indexes of the operations cancelled only because another transaction was in progress on their
 * items (reason `TransactionConflict`), when that is the sole cause of the cancellation.
 */
function concurrentTransactionIndexes(error: unknown): number[] {
  if (errorName(error) !== 'TransactionCanceledException') return [];
  const reasons = (error as { CancellationReasons?: CancellationReasonLike[] }).CancellationReasons;
  const codes = reasons ? reasons.map((reason) => reason.Code ?? 'None') : parseCancellationCodes((error as Error).message);
  if (codes.some((code) => code !== 'None' && code !== 'TransactionConflict')) return [];
  return codes.flatMap((code, index) => (code === 'TransactionConflict' ? [index] : []));
}

/** Older SDKs and some emulators only list the codes in the message: "... [None, ConditionalCheckFailed]". */
function parseCancellationCodes(message: string): string[] {
  const match = /\[([^\]]*)\]\s*$/.exec(message);
  return match ? match[1]!.split(',').map((code) => code.trim()) : [];
}

function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  // Half fixed, half random ("equal jitter"): concurrent callers spread out but still back off.
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
