import type { IndexName, Item, ItemKey, TableStore, TransactOperation } from '../ports/table-store.port';
import { ConditionFailedError, TransactionConflictError } from '../ports/table-store.port';
import { dealKeys } from '../deals/deal.keys';
import { repointDealItem } from '../deals/deal.repository';
import { noteKeys } from '../notes/note.keys';
import { toNote, toNoteItem } from '../notes/note.repository';
import { orderKeys } from '../orders/order.keys';
import { toOrder, toOrderItem } from '../orders/order.repository';
import { applyStatsChange, loadOrderStats, orderStatsPutOperation } from '../orders/order-stats';
import { taskKeys } from '../tasks/task.keys';
import { toTask, toTaskItem } from '../tasks/task.repository';
import { mergeKeys } from './merge.keys';

/**
 * Records of other modules that belong to a customer (notes, tasks, deals, orders): a merge points them at
 * the survivor, so the survivor's lists and totals include them; an undo points them back. Each
 * kind says where a customer's records are listed and how a record is re-pointed (its index
 * attributes rebuilt). A move is one transaction per record — the record (version-checked, version
 * bumped) and a marker `MOVEDREF#<kind>#<pk>` in the merge's collection — so a re-run skips what
 * moved and the undo knows exactly what to move back. Order stats are rebuilt for the customers
 * involved once their orders moved.
 */
interface CustomerReferenceKind {
  kind: string;
  index: IndexName;
  partition: (tenantId: string, customerId: string) => string;
  repoint: (tenantId: string, item: Item, customerId: string) => Item;
}

// Functions, not values: the modules import the customers module too (evaluated lazily).
const KINDS: CustomerReferenceKind[] = [
  { kind: 'note', index: 'gsi1', partition: (t, c) => noteKeys.byCustomer(t, c), repoint: (t, item, c) => toNoteItem(t, { ...toNote(item), customerId: c }) },
  { kind: 'task', index: 'gsi2', partition: (t, c) => taskKeys.byCustomer(t, c), repoint: (t, item, c) => toTaskItem(t, { ...toTask(item), customerId: c }) },
  { kind: 'deal', index: 'gsi5', partition: (t, c) => dealKeys.byCustomer(t, c), repoint: (t, item, c) => repointDealItem(t, item, c) },
  { kind: 'order', index: 'gsi1', partition: (t, c) => orderKeys.byCustomer(t, c), repoint: (t, item, c) => toOrderItem(t, { ...toOrder(item), customerId: c }, item.requestHash as string) },
];

const markerKey = (tenantId: string, mergeId: string, kind: string, pk: string): ItemKey => ({ pk: mergeKeys.partition(tenantId, mergeId), sk: `MOVEDREF#${kind}#${pk}` });

/** Points every record of the merged customers at the survivor; rebuilds order stats. */
export async function moveCustomerReferences(store: TableStore, tenantId: string, mergeId: string, mergedIds: readonly string[], survivorId: string, now: Date): Promise<void> {
  for (const fromId of mergedIds) {
    for (const k of KINDS) {
      let startAfter: Record<string, string> | undefined;
      do {
        const page = await store.query({ index: k.index, partition: k.partition(tenantId, fromId), limit: 100, ...(startAfter ? { startAfter } : {}) });
        for (const listed of page.items) {
          await repoint(store, tenantId, k, { pk: listed.pk, sk: listed.sk }, fromId, survivorId, [
            { type: 'put', item: { ...markerKey(tenantId, mergeId, k.kind, listed.pk), entity: 'customer-merge-moved-ref', tenantId, kind: k.kind, key: { pk: listed.pk, sk: listed.sk }, fromCustomerId: fromId } },
          ]);
        }
        startAfter = page.lastKey;
      } while (startAfter);
    }
  }
  await rebuildOrderStats(store, tenantId, [survivorId, ...mergedIds], mergeId, now);
}

/** Points the records a merge moved back at the customers they came from (unless they moved on since). */
export async function moveCustomerReferencesBack(store: TableStore, tenantId: string, mergeId: string, mergedIds: readonly string[], survivorId: string, now: Date): Promise<void> {
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await store.query({ partition: mergeKeys.partition(tenantId, mergeId), sortKey: { beginsWith: 'MOVEDREF#' }, limit: 100, consistent: true, ...(startAfter ? { startAfter } : {}) });
    for (const marker of page.items) {
      const k = KINDS.find((x) => x.kind === marker.kind);
      if (k) await repoint(store, tenantId, k, marker.key as ItemKey, survivorId, marker.fromCustomerId as string, []);
    }
    startAfter = page.lastKey;
  } while (startAfter);
  await rebuildOrderStats(store, tenantId, [survivorId, ...mergedIds], mergeId, now);
}

/** One record from one customer to another (skipped when it no longer belongs to `fromId`); retried on a concurrent change. */
async function repoint(store: TableStore, tenantId: string, k: CustomerReferenceKind, key: ItemKey, fromId: string, toId: string, extra: TransactOperation[]): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const item = await store.get(key, { consistent: true });
    if (!item || item.customerId !== fromId) return;
    const version = typeof item.version === 'number' ? item.version : undefined;
    const next = { ...k.repoint(tenantId, item, toId), ...(version !== undefined ? { version: version + 1 } : {}) };
    try {
      await store.transact([
        { type: 'put', item: next, condition: version !== undefined ? { kind: 'equals', attribute: 'version', value: version } : { kind: 'exists' } },
        ...extra,
      ]);
      return;
    } catch (error) {
      if (!(error instanceof TransactionConflictError || error instanceof ConditionFailedError)) throw error;
    }
  }
  throw new Error(`${k.kind} ${key.pk} kept changing while the merge moved it`);
}

/**
 * Order stats of the customers involved, folded from their orders: those listed for them, plus the
 * ones this merge moved (the by-customer index may not show a just-moved order yet).
 */
async function rebuildOrderStats(store: TableStore, tenantId: string, customerIds: readonly string[], mergeId: string, now: Date): Promise<void> {
  const orderKind = KINDS.find((k) => k.kind === 'order')!;
  const moved: ItemKey[] = [];
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await store.query({ partition: mergeKeys.partition(tenantId, mergeId), sortKey: { beginsWith: 'MOVEDREF#order#' }, limit: 100, consistent: true, ...(startAfter ? { startAfter } : {}) });
    moved.push(...page.items.map((m) => m.key as ItemKey));
    startAfter = page.lastKey;
  } while (startAfter);
  for (const customerId of customerIds) {
    const keys = new Map(moved.map((k) => [k.pk, k]));
    let after: Record<string, string> | undefined;
    do {
      const page = await store.query({ index: orderKind.index, partition: orderKind.partition(tenantId, customerId), limit: 100, ...(after ? { startAfter: after } : {}) });
      for (const o of page.items) keys.set(o.pk, { pk: o.pk, sk: o.sk });
      after = page.lastKey;
    } while (after);
    const orders = (await store.batchGet([...keys.values()])).filter((o) => o.customerId === customerId).map(toOrder);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const read = await loadOrderStats(store, tenantId, customerId);
      if (read.version === 0 && orders.length === 0) break;
      const next = orders.reduce((s, order) => applyStatsChange(s, { kind: 'recorded', order }), { ...read, currencies: {} });
      try {
        await store.transact([orderStatsPutOperation(tenantId, read, next, now)]);
        break;
      } catch (error) {
        if (!(error instanceof TransactionConflictError)) throw error;
      }
    }
  }
}
