import type { Clock } from '../ports/clock.port';
import { ConditionFailedError, TransactionConflictError, type Item, type TableStore } from '../ports/table-store.port';
import { customerKeys } from '../customers/customer.keys';
import { toCustomer } from '../customers/customer.repository';
import type { Customer } from '../customers/customer.schema';
import type { DerivedItem } from '../customers/derived-items';
import { customFieldIndexItems, isUniqueClaim, storedIndexItem } from './field-index';
import { fieldRegistryKeys, toDefinition, type FieldDefinition, type OBJECT_TYPES } from './field-registry';

/** Conflicts kept on a failed definition (enough for an admin to see why; the rest is the same story). */
const MAX_CONFLICTS = 5;

export interface FieldIndexBuildOptions {
  /** Live records read per gsi1 page (default 100). */
  pageSize?: number;
  /**
   * Pages per invocation (default 10). When more remain, the position is checkpointed on the
   * definition item, and that write's stream record starts the next invocation.
   */
  maxPages?: number;
}

export type FieldIndexBuildOutcome =
  /** Nothing to do: no such field, not building, or removed. */
  | { status: 'skipped' }
  /** The definition changed meanwhile (its own stream record carries the build on). */
  | { status: 'superseded'; indexed: number }
  /** Checkpointed; the checkpoint write re-triggers the consumer. */
  | { status: 'continued'; indexed: number }
  | { status: 'ready'; indexed: number }
  | { status: 'failed'; indexed: number; conflicts: NonNullable<FieldDefinition['conflicts']> };

type Conflicts = NonNullable<FieldDefinition['conflicts']>;

/**
 * Backfills the index items of a field that became filterable or unique, without rewriting any
 * record: pages through the tenant's live customers on gsi1 (`T#t#CUST`, never a scan), writes
 * each one's equality/range items (idempotent puts) and uniqueness claims (a transaction with a
 * condition check on the record's version, so a record changed meanwhile is re-read instead of
 * claiming a value it no longer has). Duplicate unique values end the build as `failed` with the
 * first few conflicts; otherwise the field becomes `ready`. Safe to run again on a redelivered
 * stream record: it resumes from the checkpoint on the definition item.
 */
export async function buildFieldIndex(
  deps: { store: TableStore; clock: Clock },
  tenantId: string,
  objectType: (typeof OBJECT_TYPES)[number],
  key: string,
  options: FieldIndexBuildOptions = {},
): Promise<FieldIndexBuildOutcome> {
  const { store } = deps;
  const pageSize = options.pageSize ?? 100;
  const maxPages = options.maxPages ?? 10;
  const definitionKey = fieldRegistryKeys.definition(tenantId, objectType, key);
  const stored = await store.get(definitionKey, { consistent: true });
  if (!stored) return { status: 'skipped' };
  const definition = toDefinition(stored);
  if (definition.status !== 'active' || definition.indexState !== 'building' || (!definition.filterable && !definition.unique)) return { status: 'skipped' };

  let cursor = stored.indexCursor as Record<string, string> | undefined;
  const conflicts: Conflicts = [...((stored.indexConflicts as Conflicts | undefined) ?? [])];
  let indexed = 0;
  for (let page = 0; page < maxPages; page++) {
    const result = await store.query({ index: 'gsi1', partition: customerKeys.tenantList(tenantId, false), limit: pageSize, ...(cursor ? { startAfter: cursor } : {}) });
    await Promise.all(result.items.map(async (profile) => {
      const found = await indexRecord(store, tenantId, definition, profile);
      indexed++;
      if (found) addConflict(conflicts, found);
    }));
    cursor = result.lastKey;
    if (!cursor) break;
  }

  const now = deps.clock.now().toISOString();
  const { indexCursor: _c, indexConflicts: _k, conflicts: _old, ...rest } = stored;
  const next: Item = cursor
    ? { ...rest, ...(stored.conflicts ? { conflicts: stored.conflicts } : {}), indexCursor: cursor, indexConflicts: conflicts, indexCheckpointAt: now }
    : { ...rest, indexState: conflicts.length ? 'failed' : 'ready', ...(conflicts.length ? { conflicts } : {}), indexCheckpointAt: now };
  try {
    // Only the build's own bookkeeping changes: the version (the admin's ETag) stays.
    await store.put(next, {
      condition: { kind: 'and', conditions: [{ kind: 'equals', attribute: 'version', value: definition.version }, { kind: 'equals', attribute: 'indexState', value: 'building' }] },
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) return { status: 'superseded', indexed };
    throw error;
  }
  if (cursor) return { status: 'continued', indexed };
  return conflicts.length ? { status: 'failed', indexed, conflicts } : { status: 'ready', indexed };
}

function addConflict(conflicts: Conflicts, found: { valueHash: string; customerIds: string[] }): void {
  const same = conflicts.find((c) => c.valueHash === found.valueHash);
  if (same) {
    for (const id of found.customerIds) if (!same.customerIds.includes(id) && same.customerIds.length < 10) same.customerIds.push(id);
  } else if (conflicts.length < MAX_CONFLICTS) {
    conflicts.push({ valueHash: found.valueHash, customerIds: [...found.customerIds].sort() });
  }
}

/**
 * Writes one record's index items for the field. Returns the conflict when another live record
 * already holds the record's unique value.
 */
async function indexRecord(store: TableStore, tenantId: string, definition: FieldDefinition, profile: Item): Promise<{ valueHash: string; customerIds: string[] } | undefined> {
  let customer: Customer | undefined = toCustomer(profile);
  // gsi1 is eventually consistent: a record changed since is re-read (consistently) and retried.
  for (let attempt = 0; attempt < 3 && customer; attempt++) {
    const items = customFieldIndexItems(tenantId, customer, [definition]);
    await Promise.all(items.filter((i) => !isUniqueClaim(i)).map((i) => store.put(storedIndexItem(i))));
    const claim = items.find(isUniqueClaim);
    if (!claim) return undefined;
    const outcome = await claimUnique(store, tenantId, customer, claim);
    if (outcome === 'claimed') return undefined;
    if (outcome !== 'record-changed') return outcome;
    const fresh = await store.get(customerKeys.profile(tenantId, customer.id), { consistent: true });
    customer = fresh && !fresh.deletedAt ? toCustomer(fresh) : undefined;
  }
  return undefined;
}

async function claimUnique(
  store: TableStore,
  tenantId: string,
  customer: Customer,
  claim: DerivedItem,
): Promise<'claimed' | 'record-changed' | { valueHash: string; customerIds: string[] }> {
  const profileCheck = { type: 'conditionCheck' as const, key: customerKeys.profile(tenantId, customer.id), condition: { kind: 'equals' as const, attribute: 'version', value: customer.version } };
  try {
    await store.transact([profileCheck, { type: 'put', item: storedIndexItem(claim), condition: { kind: 'notExists' } }]);
    return 'claimed';
  } catch (error) {
    if (!(error instanceof TransactionConflictError)) throw error;
    if (error.failedIndexes.includes(0)) return 'record-changed';
  }
  const holder = await store.get({ pk: claim.pk, sk: claim.sk }, { consistent: true });
  if (!holder) return 'record-changed'; // released meanwhile: try again
  const holderId = holder.customerId as string;
  if (holderId === customer.id) return 'claimed'; // idempotent: claimed by an earlier delivery or by the write path
  return { valueHash: claim.valueHash as string, customerIds: [holderId, customer.id] };
}
