/**
 * DynamoDB's rules for items, keys, queries and transactions, written down once so that both
 * table-store adapters enforce them identically: the DynamoDB adapter checks them before calling
 * the service (uniform, early errors instead of service ValidationExceptions), the SQLite adapter
 * emulates DynamoDB with them. This module imports no AWS SDK and no SQLite, so either adapter's
 * bundle can include it.
 */
import {
  INDEX_NAMES,
  KEY_ATTRIBUTES,
  indexKeyAttributes,
  type Clock,
  type Condition,
  type Item,
  type ItemKey,
  type QueryInput,
  type SortKeyCondition,
  type TransactOperation,
} from '@crm/core';

/** DynamoDB's maximum item size (attribute names and values, UTF-8). */
export const MAX_ITEM_BYTES = 400 * 1024;
/** DynamoDB's maximum number of operations in one TransactWriteItems call. */
export const MAX_TRANSACT_OPERATIONS = 100;
/** DynamoDB's maximum number of keys in one BatchGetItem call. */
export const MAX_BATCH_GET_KEYS = 100;
/** The port's bounds for `QueryInput.limit`. */
export const MAX_QUERY_LIMIT = 1000;

/** Current time in epoch seconds, the unit of the TTL attribute. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now().getTime() / 1000);
}

/**
 * True when the item's TTL has passed. Only numbers count, exactly like DynamoDB's TTL process
 * (and writes reject any other type, see `assertValidItem`).
 */
export function isExpired(item: Record<string, unknown>, nowEpochSeconds: number): boolean {
  const expiresAt = item[KEY_ATTRIBUTES.ttl];
  return typeof expiresAt === 'number' && expiresAt <= nowEpochSeconds;
}

/** Compares two strings by UTF-8 bytes, the order DynamoDB uses for string keys. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A collision-free map key for an item key. */
export function itemKeyId(key: ItemKey): string {
  return JSON.stringify([key.pk, key.sk]);
}

function assertKeyString(value: unknown, attribute: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`Key attribute "${attribute}" must be a non-empty string`);
  }
}

/** Rejects keys DynamoDB would reject: `pk` and `sk` must be non-empty strings. */
export function assertValidKey(key: ItemKey): void {
  assertKeyString(key.pk, KEY_ATTRIBUTES.pk);
  assertKeyString(key.sk, KEY_ATTRIBUTES.sk);
}

/**
 * Rejects items DynamoDB would reject (empty or non-string keys, index keys of the wrong type,
 * more than 400 KB) and TTL values that DynamoDB's TTL process would silently ignore.
 */
export function assertValidItem(item: Item): void {
  assertValidKey(item);
  for (const index of INDEX_NAMES) {
    const attributes = indexKeyAttributes(index);
    for (const attribute of [attributes.pk, attributes.sk]) {
      if (item[attribute] !== undefined) assertKeyString(item[attribute], attribute);
    }
  }
  const expiresAt = item[KEY_ATTRIBUTES.ttl];
  if (expiresAt !== undefined && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) {
    throw new TypeError(`"${KEY_ATTRIBUTES.ttl}" must be a number of epoch seconds`);
  }
  const size = itemSizeBytes(item);
  if (size > MAX_ITEM_BYTES) {
    throw new RangeError(`Item size ${size} bytes exceeds the maximum of ${MAX_ITEM_BYTES} bytes`);
  }
}

/**
 * Approximates DynamoDB's item size: attribute name bytes plus value bytes, where numbers take
 * about one byte per two significant digits plus one, and lists/maps three bytes plus one per
 * element. Slightly generous rather than strict, so it never rejects what DynamoDB accepts by much.
 */
export function itemSizeBytes(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name, 'utf8') + valueSizeBytes(value);
  }
  return size;
}

function valueSizeBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') {
    const digits = String(Math.abs(value))
      .replace(/e.*$/i, '')
      .replace('.', '')
      .replace(/^0+/, '');
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) {
    return value.reduce<number>((sum, element) => sum + 1 + valueSizeBytes(element), 3);
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, element] of Object.entries(value)) {
      if (element === undefined) continue;
      size += 1 + Buffer.byteLength(name, 'utf8') + valueSizeBytes(element);
    }
    return size;
  }
  return 0;
}

function sortKeyValues(condition: SortKeyCondition): string[] {
  return Object.values(condition).flat() as string[];
}

/** Rejects queries DynamoDB would reject, with the same error types in both adapters. */
export function assertValidQuery(input: QueryInput): void {
  if (input.index !== undefined && !INDEX_NAMES.includes(input.index)) {
    throw new RangeError(`Unknown index "${String(input.index)}"`);
  }
  if (typeof input.partition !== 'string' || input.partition.length === 0) {
    throw new TypeError('Query partition must be a non-empty string');
  }
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_QUERY_LIMIT) {
    throw new RangeError(`Query limit must be an integer between 1 and ${MAX_QUERY_LIMIT}`);
  }
  if (input.sortKey) {
    for (const value of sortKeyValues(input.sortKey)) {
      if (typeof value !== 'string' || value.length === 0) {
        throw new TypeError('Sort-key condition values must be non-empty strings');
      }
    }
    if ('between' in input.sortKey && compareUtf8(...input.sortKey.between) > 0) {
      // DynamoDB answers a reversed BETWEEN with a ValidationException rather than an empty page.
      throw new RangeError('Sort-key "between" bounds must be in ascending order');
    }
  }
}

/** Key of the item a transaction operation touches. */
export function operationKey(operation: TransactOperation): ItemKey {
  return operation.type === 'put' ? operation.item : operation.key;
}

/** True when a condition checks nothing (an empty conjunction, possibly nested). */
export function isEmptyCondition(condition: Condition): boolean {
  return condition.kind === 'and' && condition.conditions.every(isEmptyCondition);
}

/** Rejects transactions DynamoDB would reject: too many operations, or two on one item. */
export function assertValidTransaction(operations: TransactOperation[]): void {
  if (operations.length > MAX_TRANSACT_OPERATIONS) {
    throw new RangeError(`A transaction holds at most ${MAX_TRANSACT_OPERATIONS} operations`);
  }
  const seen = new Set<string>();
  for (const operation of operations) {
    if (operation.type === 'put') assertValidItem(operation.item);
    else assertValidKey(operation.key);
    if (operation.type === 'conditionCheck' && isEmptyCondition(operation.condition)) {
      throw new TypeError('A conditionCheck needs a non-empty condition');
    }
    const id = itemKeyId(operationKey(operation));
    if (seen.has(id)) {
      throw new RangeError(`A transaction cannot include two operations on one item (${id})`);
    }
    seen.add(id);
  }
}

/**
 * True when two items hold the same attributes and values (map attribute order ignored, list order
 * significant, undefined attributes absent), i.e. when DynamoDB would consider a put a no-op.
 * DynamoDB Streams writes no record for a write that does not change the item.
 */
export function itemsEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((element, index) => itemsEqual(element, b[index]))
    );
  }
  const definedKeys = (value: object): string[] =>
    Object.entries(value)
      .filter(([, element]) => element !== undefined)
      .map(([key]) => key);
  const aKeys = definedKeys(a);
  const bRecord = b as Record<string, unknown>;
  return (
    aKeys.length === definedKeys(b).length &&
    aKeys.every(
      (key) =>
        Object.prototype.hasOwnProperty.call(bRecord, key) &&
        itemsEqual((a as Record<string, unknown>)[key], bRecord[key]),
    )
  );
}

/**
 * Evaluates a condition against the stored item (undefined when absent), with the port's TTL
 * semantics: an expired item is absent. Equality is strict and typed, like DynamoDB's `=`.
 */
export function evaluateCondition(
  condition: Condition,
  stored: Item | undefined,
  nowEpochSeconds: number,
): boolean {
  const live = stored !== undefined && !isExpired(stored, nowEpochSeconds) ? stored : undefined;
  switch (condition.kind) {
    case 'notExists':
      return live === undefined;
    case 'exists':
      return live !== undefined;
    case 'equals':
      return (
        live !== undefined &&
        Object.prototype.hasOwnProperty.call(live, condition.attribute) &&
        live[condition.attribute] === condition.value
      );
    case 'and':
      return condition.conditions.every((child) => evaluateCondition(child, stored, nowEpochSeconds));
  }
}
