import {
  INDEX_NAMES,
  TENANT_ID_PATTERN,
  indexKeyAttributes,
  type Item,
  type ItemKey,
  type QueryInput,
  type TableStore,
  type TransactOperation,
} from '@crm/core';

/**
 * Thrown when an operation touches a partition outside the store's tenant. It is the local twin of
 * the `AccessDeniedException` DynamoDB returns when the tenant role's `dynamodb:LeadingKeys`
 * condition does not hold, so like that one it surfaces as a 500: a key built for the wrong tenant
 * is a bug, not a client error.
 */
export class TenantIsolationError extends Error {
  override readonly name = 'TenantIsolationError';
  constructor(
    readonly tenantId: string,
    readonly partition: string,
    operation: string,
  ) {
    super(`${operation} touches partition "${partition}", which is outside tenant "${tenantId}"`);
  }
}

/**
 * The local runtime's equivalent of the tenant-scoped IAM role (docs/adr/0007, "Isolation" in
 * docs/architecture.md): a TableStore whose operations reject with TenantIsolationError (nothing
 * reaches the inner store) when a partition key does not start with `T#<tenantId>#`, the same
 * prefix the role's `ForAllValues:StringLike dynamodb:LeadingKeys` condition allows. Checked: item keys of get/put/delete, every key of batchGet and transact, the
 * queried partition (table or GSI) and the partition values of `startAfter`. Puts also check the
 * item's GSI partition attributes, which IAM cannot see; stricter, never looser, than DynamoDB.
 *
 * @param store the unrestricted store (SQLite locally, or DynamoDB as defence in depth)
 * @param tenantId a tenant id from verified claims; must match TENANT_ID_PATTERN (no `#`), so the
 *   prefix cannot be confused with a longer tenant id
 */
export function guardTenant(store: TableStore, tenantId: string): TableStore {
  if (!TENANT_ID_PATTERN.test(tenantId)) throw new TypeError(`guardTenant: "${tenantId}" is not a valid tenant id`);
  const prefix = `T#${tenantId}#`;
  const check = (partition: unknown, operation: string): void => {
    if (typeof partition !== 'string' || !partition.startsWith(prefix)) {
      throw new TenantIsolationError(tenantId, String(partition), operation);
    }
  };
  const checkKey = (key: ItemKey, operation: string): void => check(key.pk, operation);
  const checkItem = (item: Item, operation: string): void => {
    check(item.pk, operation);
    for (const index of INDEX_NAMES) {
      const attribute = indexKeyAttributes(index).pk;
      if (item[attribute] !== undefined) check(item[attribute], `${operation} (${attribute})`);
    }
  };
  const checkTransact = (operation: TransactOperation): void => {
    if (operation.type === 'put') checkItem(operation.item, 'transact put');
    else checkKey(operation.key, `transact ${operation.type}`);
  };
  const checkQuery = (input: QueryInput): void => {
    check(input.partition, input.index ? `query ${input.index}` : 'query');
    if (!input.startAfter) return;
    // The cursor carries the table keys plus the queried index's keys; every partition value must
    // belong to the tenant, or a forged cursor could start a page in another tenant's partition.
    for (const [attribute, value] of Object.entries(input.startAfter)) {
      if (isPartitionAttribute(attribute)) check(value, `query startAfter (${attribute})`);
    }
  };

  return {
    get: async (key, options) => {
      checkKey(key, 'get');
      return store.get(key, options);
    },
    batchGet: async (keys) => {
      keys.forEach((key) => checkKey(key, 'batchGet'));
      return store.batchGet(keys);
    },
    put: async (item, options) => {
      checkItem(item, 'put');
      return store.put(item, options);
    },
    delete: async (key, options) => {
      checkKey(key, 'delete');
      return store.delete(key, options);
    },
    transact: async (operations) => {
      operations.forEach(checkTransact);
      return store.transact(operations);
    },
    transactEach: async (groups) => {
      groups.forEach((operations) => operations.forEach(checkTransact));
      return store.transactEach(groups);
    },
    query: async (input) => {
      checkQuery(input);
      return store.query(input);
    },
  };
}

const PARTITION_ATTRIBUTES = new Set<string>(['pk', ...INDEX_NAMES.map((index) => indexKeyAttributes(index).pk)]);

function isPartitionAttribute(attribute: string): boolean {
  return PARTITION_ATTRIBUTES.has(attribute);
}
