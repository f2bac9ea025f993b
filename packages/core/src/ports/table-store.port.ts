/**
 * Table-store port: the single-table operations every use case needs, with the same semantics on
 * DynamoDB (`@aws-sdk/lib-dynamodb`) and SQLite (`better-sqlite3`). Items are plain JSON objects
 * that carry their own key attributes (`pk`, `sk`, optional `gsiNpk`/`gsiNsk`) and an optional TTL
 * attribute (`expiresAt`, epoch seconds). Both adapters hide items whose TTL has passed, because
 * DynamoDB deletes expired items lazily.
 */

/** Attribute names fixed by the table definition (CDK stateful stack and SQLite schema). */
export const KEY_ATTRIBUTES = {
  pk: 'pk',
  sk: 'sk',
  ttl: 'expiresAt',
} as const;

/** Global secondary indexes of the single table. Each has `<name>pk`/`<name>sk` string keys. */
export const INDEX_NAMES = ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'] as const;
export type IndexName = (typeof INDEX_NAMES)[number];

/** Attribute names of an index's partition and sort key, e.g. `gsi1pk`, `gsi1sk`. */
export function indexKeyAttributes(index: IndexName): { pk: string; sk: string } {
  return { pk: `${index}pk`, sk: `${index}sk` };
}

export type ScalarValue = string | number | boolean | null;

/** A stored item. `pk` and `sk` are always present; everything else is the entity's business. */
export interface Item {
  pk: string;
  sk: string;
  [attribute: string]: unknown;
}

export interface ItemKey {
  pk: string;
  sk: string;
}

/**
 * Conditions supported by writes. Deliberately small so both adapters implement them exactly:
 * DynamoDB translates them to a ConditionExpression, SQLite evaluates them inside its transaction.
 */
export type Condition =
  | { kind: 'notExists' } // no item with this key (expired items count as absent)
  | { kind: 'exists' } // an item with this key exists
  | { kind: 'equals'; attribute: string; value: ScalarValue } // top-level attribute equals value
  | { kind: 'and'; conditions: Condition[] };

export interface WriteOptions {
  condition?: Condition;
}

export type TransactOperation =
  | { type: 'put'; item: Item; condition?: Condition }
  | { type: 'delete'; key: ItemKey; condition?: Condition }
  | { type: 'conditionCheck'; key: ItemKey; condition: Condition };

/** Sort-key conditions of a Query (all compare strings by UTF-8 byte order, like DynamoDB). */
export type SortKeyCondition =
  | { beginsWith: string }
  | { between: [string, string] }
  | { gt: string }
  | { gte: string }
  | { lt: string }
  | { lte: string }
  | { equals: string };

export interface QueryInput {
  /** Query the table (omit) or one of its GSIs. */
  index?: IndexName;
  /** Value of the partition key (`pk`, or `<index>pk`). */
  partition: string;
  sortKey?: SortKeyCondition;
  /** Maximum number of items to evaluate (1..1000). */
  limit: number;
  /** Ascending by sort key unless false. */
  forward?: boolean;
  /** The `lastKey` of a previous page: the query continues strictly after it. */
  startAfter?: Record<string, string>;
  /** Strongly consistent read (table only; ignored on GSIs which are eventually consistent). */
  consistent?: boolean;
}

export interface QueryPage {
  items: Item[];
  /** Key of the last evaluated item (table keys plus the index keys) when more may follow. */
  lastKey?: Record<string, string>;
}

/** Thrown by put/delete when the condition does not hold. */
export class ConditionFailedError extends Error {
  override readonly name = 'ConditionFailedError';
  constructor(message = 'The conditional request failed') {
    super(message);
  }
}

/**
 * Thrown by transact when any operation's condition does not hold; nothing was written.
 * `failedIndexes` lists the operations whose condition failed (by position in the input).
 */
export class TransactionConflictError extends Error {
  override readonly name = 'TransactionConflictError';
  constructor(
    readonly failedIndexes: number[],
    message = 'Transaction cancelled: a condition failed',
  ) {
    super(message);
  }
}

export interface TableStore {
  /** Reads one item; undefined when absent or expired. */
  get(key: ItemKey, options?: { consistent?: boolean }): Promise<Item | undefined>;
  /** Reads many items (any number; chunked internally). Missing/expired ones are omitted; order follows `keys`. */
  batchGet(keys: ItemKey[]): Promise<Item[]>;
  /** Creates or replaces an item. Throws ConditionFailedError when the condition fails. */
  put(item: Item, options?: WriteOptions): Promise<void>;
  /** Deletes an item (no error when absent unless a condition says so). */
  delete(key: ItemKey, options?: WriteOptions): Promise<void>;
  /** All-or-nothing write of up to 100 operations on distinct items. */
  transact(operations: TransactOperation[]): Promise<void>;
  /**
   * Many independent transactions in one call: each group is all-or-nothing on its own (as
   * `transact`), and one group's failure never affects another. Groups may run concurrently: two
   * groups on one item behave like two concurrent transactions (at most one `notExists` wins).
   * Answers per group `undefined` (written) or the error `transact` would have thrown
   * (TransactionConflictError, RangeError, …). The bulk path of batch ingestion: locally one SQLite
   * transaction (rejects, having written nothing, on an error other than a failed condition or an
   * invalid group); DynamoDB runs the groups' TransactWriteItems with bounded concurrency.
   */
  transactEach(groups: TransactOperation[][]): Promise<Array<Error | undefined>>;
  /** One page of a key-condition query on the table or a GSI. Never scans. */
  query(input: QueryInput): Promise<QueryPage>;
}
