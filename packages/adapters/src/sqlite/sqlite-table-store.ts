import type Database from 'better-sqlite3';
import {
  ConditionFailedError,
  INDEX_NAMES,
  KEY_ATTRIBUTES,
  TransactionConflictError,
  indexKeyAttributes,
  systemClock,
  type Clock,
  type Item,
  type ItemKey,
  type QueryInput,
  type QueryPage,
  type SortKeyCondition,
  type TableStore,
  type TransactOperation,
  type WriteOptions,
} from '@crm/core';
// Pure DynamoDB rules shared with the DynamoDB adapter (no AWS SDK inside), so both enforce the
// same limits and TTL semantics.
import {
  assertValidItem,
  assertValidKey,
  assertValidQuery,
  assertValidTransaction,
  epochSeconds,
  evaluateCondition,
  isExpired,
  itemKeyId,
  itemsEqual,
  operationKey,
} from '../shared/table-store-rules';
import { applySqliteMigrations } from './sqlite-database';

/** `userIdentity` DynamoDB puts on stream records of deletions done by its TTL process. */
export const TTL_USER_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

export interface SqliteTableStoreOptions {
  /** A connection from `openSqliteDatabase` (the schema is migrated again idempotently). */
  db: Database.Database;
  /** Decides which items count as expired and stamps changelog rows; defaults to the system clock. */
  clock?: Clock;
  /**
   * Called after every committed write that appended changelog rows, e.g. to wake the change-feed
   * dispatcher (`() => dispatcher.notify()`). Must not throw; the write has already committed.
   */
  onCommit?: () => void;
}

interface ItemRow {
  pk: string;
  sk: string;
  data: string;
}

type EventName = 'INSERT' | 'MODIFY' | 'REMOVE';

const INDEX_COLUMNS = INDEX_NAMES.flatMap((index) => {
  const { pk, sk } = indexKeyAttributes(index);
  return [pk, sk];
});

/**
 * Table store on SQLite (better-sqlite3), the embedded default. It mirrors DynamoDB: string keys
 * compared by UTF-8 bytes (SQLite's BINARY collation on UTF-8 text), sparse GSIs, TTL-expired
 * items hidden, conditions evaluated inside an IMMEDIATE transaction, and every write appends
 * changelog rows in that same transaction: the local equivalent of a NEW_AND_OLD_IMAGES stream.
 *
 * better-sqlite3 is synchronous; methods are async only to honour the port (errors surface as
 * rejections). Writers on other connections wait for up to the connection's `busy_timeout`.
 */
export class SqliteTableStore implements TableStore {
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly onCommit: (() => void) | undefined;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly queryStatements = new Map<string, Database.Statement>();
  /** Changelog rows appended by the transaction in progress (decides whether to call onCommit). */
  private appendedChanges = 0;

  constructor(options: SqliteTableStoreOptions) {
    this.db = options.db;
    this.clock = options.clock ?? systemClock;
    this.onCommit = options.onCommit;
    applySqliteMigrations(this.db);
    this.statements = prepareStatements(this.db);
  }

  async get(key: ItemKey): Promise<Item | undefined> {
    assertValidKey(key);
    const item = this.readItem(key);
    return item && !isExpired(item, epochSeconds(this.clock)) ? item : undefined;
  }

  async batchGet(keys: ItemKey[]): Promise<Item[]> {
    keys.forEach(assertValidKey);
    const now = epochSeconds(this.clock);
    // One read transaction: a consistent snapshot, like a single BatchGetItem page.
    const read = this.db.transaction(() => {
      const found = new Map<string, Item | undefined>();
      for (const key of keys) {
        const id = itemKeyId(key);
        if (!found.has(id)) found.set(id, this.readItem(key));
      }
      return found;
    });
    const found = read.deferred();
    return keys.flatMap((key) => {
      const item = found.get(itemKeyId(key));
      return item && !isExpired(item, now) ? [item] : [];
    });
  }

  async put(item: Item, options?: WriteOptions): Promise<void> {
    assertValidItem(item);
    this.write(() => {
      const stored = this.readItem(item);
      if (options?.condition && !evaluateCondition(options.condition, stored, epochSeconds(this.clock))) {
        throw new ConditionFailedError();
      }
      this.writeItem(item, stored);
    });
  }

  async delete(key: ItemKey, options?: WriteOptions): Promise<void> {
    assertValidKey(key);
    this.write(() => {
      const stored = this.readItem(key);
      if (options?.condition && !evaluateCondition(options.condition, stored, epochSeconds(this.clock))) {
        throw new ConditionFailedError();
      }
      if (stored) this.removeItem(stored, null);
    });
  }

  async transact(operations: TransactOperation[]): Promise<void> {
    assertValidTransaction(operations);
    if (operations.length === 0) return;
    this.write(() => this.applyTransaction(operations, epochSeconds(this.clock)));
  }

  async transactEach(groups: TransactOperation[][]): Promise<Array<Error | undefined>> {
    const results: Array<Error | undefined> = groups.map((operations) => {
      try {
        assertValidTransaction(operations);
        return undefined;
      } catch (error) {
        return error as Error;
      }
    });
    if (!groups.some((operations, index) => operations.length > 0 && !results[index])) return results;
    // One IMMEDIATE transaction, one commit for all groups. A group whose conditions fail writes
    // nothing (they are all checked before its first write), so no savepoint is needed; any other
    // error rolls the whole transaction back and rejects (nothing written).
    this.write(() => {
      const now = epochSeconds(this.clock);
      groups.forEach((operations, index) => {
        if (results[index] || operations.length === 0) return;
        try {
          this.applyTransaction(operations, now);
        } catch (error) {
          if (!(error instanceof TransactionConflictError)) throw error;
          results[index] = error;
        }
      });
    });
    return results;
  }

  /** Checks every condition, then writes (inside the caller's transaction or savepoint). */
  private applyTransaction(operations: TransactOperation[], now: number): void {
    const stored = operations.map((operation) => this.readItem(operationKey(operation)));
    // Check every condition before writing anything, so failedIndexes lists all failures
    // (as DynamoDB's CancellationReasons do) and nothing needs undoing.
    const failedIndexes = operations.flatMap((operation, index) =>
      operation.condition && !evaluateCondition(operation.condition, stored[index], now)
        ? [index]
        : [],
    );
    if (failedIndexes.length > 0) throw new TransactionConflictError(failedIndexes);
    operations.forEach((operation, index) => {
      if (operation.type === 'put') this.writeItem(operation.item, stored[index]);
      else if (operation.type === 'delete' && stored[index]) this.removeItem(stored[index], null);
    });
  }

  async query(input: QueryInput): Promise<QueryPage> {
    assertValidQuery(input);
    const plan = buildQuery(input);
    let statement = this.queryStatements.get(plan.sql);
    if (!statement) {
      statement = this.db.prepare(plan.sql);
      this.queryStatements.set(plan.sql, statement);
    }
    const rows = statement.all({ ...plan.parameters, limit: input.limit }) as Array<
      ItemRow & Record<string, string>
    >;
    const now = epochSeconds(this.clock);
    const items = rows
      .map((row) => JSON.parse(row.data) as Item)
      .filter((item) => !isExpired(item, now));
    const last = rows[rows.length - 1];
    // Like DynamoDB: a page that used up its limit carries lastKey even when nothing follows, so
    // callers meet the (legal) empty last page locally too, not only on AWS.
    if (rows.length < input.limit || !last) return { items };
    const lastKey: Record<string, string> = { [KEY_ATTRIBUTES.pk]: last.pk, [KEY_ATTRIBUTES.sk]: last.sk };
    if (input.index) {
      const { pk, sk } = indexKeyAttributes(input.index);
      lastKey[pk] = last[pk]!;
      lastKey[sk] = last[sk]!;
    }
    return { items, lastKey };
  }

  /**
   * Deletes items whose TTL has passed, as DynamoDB's TTL process does (REMOVE records carrying
   * the service `userIdentity`). Returns how many items were deleted; call it periodically.
   */
  async deleteExpired(options: { limit?: number } = {}): Promise<number> {
    const limit = options.limit ?? 1000;
    let deleted = 0;
    this.write(() => {
      const now = epochSeconds(this.clock);
      const rows = this.statements.selectExpired.all(now, limit);
      for (const row of rows) {
        this.removeItem(JSON.parse(row.data) as Item, JSON.stringify(TTL_USER_IDENTITY));
      }
      deleted = rows.length;
    });
    return deleted;
  }

  /** Runs `body` in an IMMEDIATE transaction (no lock upgrade deadlocks), then signals the commit. */
  private write(body: () => void): void {
    this.appendedChanges = 0;
    this.db.transaction(body).immediate();
    if (this.onCommit && this.appendedChanges > 0) {
      try {
        this.onCommit();
      } catch {
        // The write is committed; a failing notification must not turn it into a reported failure.
        // The dispatcher's poll loop picks the rows up anyway.
      }
    }
  }

  private readItem(key: ItemKey): Item | undefined {
    const row = this.statements.selectItem.get(key.pk, key.sk);
    return row ? (JSON.parse(row.data) as Item) : undefined;
  }

  private writeItem(item: Item, stored: Item | undefined): void {
    // DynamoDB Streams writes no record when a put leaves the item unchanged (verified against
    // DynamoDB Local's stream in change-feed.fidelity.test.ts), so the changelog must not either.
    if (stored && itemsEqual(stored, item)) return;
    const data = JSON.stringify(item);
    const indexValues: Record<string, string | null> = {};
    for (const index of INDEX_NAMES) {
      const { pk, sk } = indexKeyAttributes(index);
      // Sparse like a GSI: only items carrying both index keys are in the index.
      const indexed = typeof item[pk] === 'string' && typeof item[sk] === 'string';
      indexValues[pk] = indexed ? (item[pk] as string) : null;
      indexValues[sk] = indexed ? (item[sk] as string) : null;
    }
    const expiresAt = item[KEY_ATTRIBUTES.ttl];
    this.statements.upsertItem.run({
      pk: item.pk,
      sk: item.sk,
      data,
      ...indexValues,
      expires_at: typeof expiresAt === 'number' ? expiresAt : null,
    });
    this.appendChange(stored ? 'MODIFY' : 'INSERT', item, data, stored ? JSON.stringify(stored) : null, null);
  }

  private removeItem(stored: Item, userIdentity: string | null): void {
    this.statements.deleteItem.run(stored.pk, stored.sk);
    this.appendChange('REMOVE', stored, null, JSON.stringify(stored), userIdentity);
  }

  private appendChange(
    eventName: EventName,
    item: Item,
    newImage: string | null,
    oldImage: string | null,
    userIdentity: string | null,
  ): void {
    this.appendedChanges++;
    this.statements.insertChange.run({
      event_name: eventName,
      pk: item.pk,
      sk: item.sk,
      entity: typeof item.entity === 'string' ? item.entity : null,
      new_image: newImage,
      old_image: oldImage,
      created_at_ms: this.clock.now().getTime(),
      user_identity: userIdentity,
    });
  }
}

function prepareStatements(db: Database.Database) {
  const columns = ['pk', 'sk', 'data', ...INDEX_COLUMNS, 'expires_at'];
  return {
    selectItem: db.prepare<[string, string], ItemRow>(
      'SELECT pk, sk, data FROM items WHERE pk = ? AND sk = ?',
    ),
    upsertItem: db.prepare(
      `INSERT INTO items (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})
       ON CONFLICT (pk, sk) DO UPDATE SET ${columns
         .filter((column) => column !== 'pk' && column !== 'sk')
         .map((column) => `${column} = excluded.${column}`)
         .join(', ')}`,
    ),
    deleteItem: db.prepare<[string, string]>('DELETE FROM items WHERE pk = ? AND sk = ?'),
    selectExpired: db.prepare<[number, number], ItemRow>(
      'SELECT pk, sk, data FROM items WHERE expires_at <= ? ORDER BY expires_at LIMIT ?',
    ),
    insertChange: db.prepare(
      `INSERT INTO changelog (event_name, pk, sk, entity, new_image, old_image, created_at_ms, user_identity)
       VALUES (@event_name, @pk, @sk, @entity, @new_image, @old_image, @created_at_ms, @user_identity)`,
    ),
  };
}

interface QueryPlan {
  sql: string;
  parameters: Record<string, string>;
}

/**
 * Translates a port query into SQL that walks one index in order (no sort step, no LIKE):
 * - table: `UNIQUE (pk, sk)`, ordered by `sk`;
 * - GSI: `items_gsiN (gsiNpk, gsiNsk, pk, sk)`, ordered by `(gsiNsk, pk, sk)`.
 * DynamoDB does not specify the order of GSI items with equal sort keys (it needs the table key in
 * ExclusiveStartKey to resume among them); ordering ties by the table key in byte order is the
 * deterministic equivalent, so `startAfter` = the last item's table and index keys resumes exactly
 * after it, without gaps or duplicates, in both directions.
 */
function buildQuery(input: QueryInput): QueryPlan {
  const index = input.index;
  const pkColumn = index ? indexKeyAttributes(index).pk : 'pk';
  const skColumn = index ? indexKeyAttributes(index).sk : 'sk';
  const forward = input.forward !== false;
  const where = [`${pkColumn} = @partition`];
  const parameters: Record<string, string> = { partition: input.partition };
  if (input.sortKey) where.push(...sortKeyClauses(input.sortKey, skColumn, parameters));
  if (input.startAfter) {
    const after = input.startAfter;
    const operator = forward ? '>' : '<';
    const sk = requireKeyPart(after, KEY_ATTRIBUTES.sk);
    if (index) {
      parameters.afterIndexSk = requireKeyPart(after, skColumn);
      parameters.afterPk = requireKeyPart(after, KEY_ATTRIBUTES.pk);
      parameters.afterSk = sk;
      where.push(`(${skColumn}, pk, sk) ${operator} (@afterIndexSk, @afterPk, @afterSk)`);
    } else {
      parameters.afterSk = sk;
      where.push(`sk ${operator} @afterSk`);
    }
  }
  const direction = forward ? 'ASC' : 'DESC';
  const orderBy = index
    ? `${skColumn} ${direction}, pk ${direction}, sk ${direction}`
    : `sk ${direction}`;
  const selected = index ? `pk, sk, data, ${pkColumn}, ${skColumn}` : 'pk, sk, data';
  return {
    sql: `SELECT ${selected} FROM items WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT @limit`,
    parameters,
  };
}

function requireKeyPart(key: Record<string, string>, attribute: string): string {
  const value = key[attribute];
  if (typeof value !== 'string') {
    throw new TypeError(`startAfter is missing key attribute "${attribute}"`);
  }
  return value;
}

function sortKeyClauses(
  condition: SortKeyCondition,
  column: string,
  parameters: Record<string, string>,
): string[] {
  if ('beginsWith' in condition) {
    // A range instead of LIKE/GLOB: it walks the index and compares bytes exactly as DynamoDB.
    parameters.skFrom = condition.beginsWith;
    const upper = prefixUpperBound(condition.beginsWith);
    if (upper === undefined) return [`${column} >= @skFrom`];
    parameters.skTo = upper;
    return [`${column} >= @skFrom`, `${column} < @skTo`];
  }
  if ('between' in condition) {
    [parameters.skFrom, parameters.skTo] = condition.between;
    return [`${column} BETWEEN @skFrom AND @skTo`];
  }
  const [operator, value] =
    'gt' in condition
      ? ['>', condition.gt]
      : 'gte' in condition
        ? ['>=', condition.gte]
        : 'lt' in condition
          ? ['<', condition.lt]
          : 'lte' in condition
            ? ['<=', condition.lte]
            : ['=', condition.equals];
  parameters.sk = value;
  return [`${column} ${operator} @sk`];
}

const MAX_CODE_POINT = 0x10ffff;

/**
 * The smallest string greater (in UTF-8 byte order) than every string starting with `prefix`:
 * the prefix with its last code point incremented. UTF-8 preserves code-point order, so
 * `s >= prefix AND s < upper` holds exactly for the strings that start with `prefix`. Surrogate
 * code points are skipped (they cannot be encoded); a trailing U+10FFFF carries into the code point
 * before it. Undefined when there is no upper bound (the prefix is all U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix, (character) => character.codePointAt(0)!);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!;
    if (last < MAX_CODE_POINT) {
      const next = last === 0xd7ff ? 0xe000 : last + 1;
      return String.fromCodePoint(...codePoints, next);
    }
  }
  return undefined;
}
