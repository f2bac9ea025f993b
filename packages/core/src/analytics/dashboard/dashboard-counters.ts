import type { ChangeRecord } from '../../events/change-record-events';
import { TransactionConflictError, type Item, type TableStore, type TransactOperation } from '../../ports/table-store.port';
import { dashboardKeys } from './dashboard.keys';

/**
 * The dashboard's incremental figures, moved by the change feed (`update-dashboard` consumer):
 * customers per RFM segment (from `rfm.segment` of live customer profiles) and paid orders per month
 * and currency (orders whose status is `paid`, by the month of orderedAt, UTC).
 *
 * Exactly once under at-least-once delivery: each source record (a customer, an order) has a mark
 * item holding what it currently contributes and the source version that is from. A change record
 * is applied only when it is newer than the mark (version, then `rfm.scoredAt` for customers, whose
 * RFM write-back keeps the version); the counters then move by
 * (new contribution − marked contribution) and the mark is rewritten, all in one transaction that is
 * conditional on the versions read (counters and mark). A redelivered or older record finds the mark
 * at its version or later and changes nothing; a concurrent writer makes the transaction fail and it
 * is recomputed from fresh reads. Deltas come from the mark, never from the record's old image, so a
 * lost or reordered intermediate record cannot skew a counter either.
 */
export const DASHBOARD_COUNTER_ENTITY = 'dashboard-counter';
export const DASHBOARD_MARK_ENTITY = 'dashboard-mark';

/** What one source record adds to one counter: named integer values (counts, cents). */
export interface Contribution {
  bucket: string;
  values: Record<string, number>;
}

/** One source record as the dashboard sees it. */
export interface DashboardSource {
  kind: 'customer' | 'order';
  tenantId: string;
  id: string;
  version: number;
  /**
   * Orders records of the same version: writes that keep the version (the score-rfm job writes `rfm`
   * onto a profile without a version bump) carry a later `rfm.scoredAt`. Empty for orders.
   */
  subVersion: string;
  /** A REMOVE record (hard delete, TTL expiry): ranks after the live image of the same version. */
  removed: boolean;
  /** An INSERT record: after a removal it counts again even with the removed version (rehydrated). */
  inserted: boolean;
  contribution: Contribution | null;
}

export type DashboardOutcome = 'applied' | 'unchanged' | 'stale' | 'ignored';

const MAX_ATTEMPTS = 8;

/** The dashboard source of a customer or order change record; undefined for anything else. */
export function dashboardSourceOf(record: ChangeRecord): DashboardSource | undefined {
  const image = record.eventName === 'REMOVE' ? undefined : record.newImage;
  const any = image ?? record.oldImage;
  if (!any || (any.entity !== 'customer' && any.entity !== 'order')) return undefined;
  if (typeof any.tenantId !== 'string' || typeof any.id !== 'string' || typeof any.version !== 'number') return undefined;
  const kind = any.entity as 'customer' | 'order';
  return {
    kind, tenantId: any.tenantId, id: any.id, version: any.version,
    subVersion: kind === 'customer' ? String((any.rfm as { scoredAt?: unknown } | undefined)?.scoredAt ?? '') : '',
    removed: record.eventName === 'REMOVE', inserted: record.eventName === 'INSERT',
    contribution: image ? (kind === 'customer' ? customerContribution(image) : orderContribution(image)) : null,
  };
}

/** A live customer with an RFM segment counts 1 in its segment; deleted and merged ones count nowhere. */
export function customerContribution(image: Record<string, unknown>): Contribution | null {
  if (image.deletedAt || image.mergedInto) return null;
  const segment = (image.rfm as { segment?: unknown } | undefined)?.segment;
  return typeof segment === 'string' && segment !== '' ? { bucket: dashboardKeys.segmentBucket(segment), values: { customers: 1 } } : null;
}

/** A paid order counts 1 and its amount (cents) in its month and currency; refunded and cancelled ones leave. */
export function orderContribution(image: Record<string, unknown>): Contribution | null {
  if (image.status !== 'paid' || typeof image.orderedAt !== 'string' || typeof image.currency !== 'string' || typeof image.amount !== 'number') return null;
  return {
    bucket: dashboardKeys.ordersBucket(image.orderedAt),
    values: { [`count:${image.currency}`]: 1, [`cents:${image.currency}`]: Math.round(image.amount * 100) },
  };
}

/** Record order of a source: version, then sub-version, then a removal after the live image. */
function compareSources(a: { version: number; subVersion: string; removed: boolean }, b: { version: number; subVersion: string; removed: boolean }): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.subVersion !== b.subVersion) return a.subVersion < b.subVersion ? -1 : 1;
  return Number(a.removed) - Number(b.removed);
}

/** Applies one change record to the dashboard counters (see the module comment). */
export async function applyDashboardChange(store: TableStore, record: ChangeRecord): Promise<DashboardOutcome> {
  const source = dashboardSourceOf(record);
  if (!source) return 'ignored';
  const markKey = dashboardKeys.mark(source.tenantId, source.kind, source.id);
  for (let attempt = 0; ; attempt += 1) {
    const mark = await store.get(markKey, { consistent: true });
    if (mark) {
      const marked = { version: mark.sourceVersion as number, subVersion: (mark.sourceSubVersion as string | undefined) ?? '', removed: mark.removed === true };
      const reinserted = marked.removed && source.inserted && source.version >= marked.version;
      if (!reinserted && compareSources(source, marked) <= 0) return 'stale';
    }
    const before = (mark?.contribution ?? null) as Contribution | null;
    const deltas = contributionDeltas(before, source.contribution);
    // Nothing moves: no write (streams keep per-item order, so skipping the mark cannot let an older record in later).
    if (deltas.size === 0) return 'unchanged';
    const operations: TransactOperation[] = [{
      type: 'put',
      item: {
        ...markKey, entity: DASHBOARD_MARK_ENTITY, tenantId: source.tenantId, kind: source.kind, sourceId: source.id,
        sourceVersion: source.version, sourceSubVersion: source.subVersion, removed: source.removed, contribution: source.contribution, version: ((mark?.version as number | undefined) ?? 0) + 1,
      },
      condition: mark ? { kind: 'equals', attribute: 'version', value: mark.version as number } : { kind: 'notExists' },
    }];
    for (const [bucket, delta] of deltas) operations.push(await counterPut(store, source.tenantId, bucket, delta));
    try {
      await store.transact(operations);
      return 'applied';
    } catch (error) {
      if (!(error instanceof TransactionConflictError) || attempt + 1 >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt));
    }
  }
}

/** Per bucket, the values to add (only non-zero ones; buckets with nothing to add are left out). */
export function contributionDeltas(before: Contribution | null, after: Contribution | null): Map<string, Record<string, number>> {
  const deltas = new Map<string, Record<string, number>>();
  for (const [c, sign] of [[before, -1], [after, 1]] as const) {
    if (!c) continue;
    const delta = deltas.get(c.bucket) ?? {};
    for (const [name, value] of Object.entries(c.values)) delta[name] = (delta[name] ?? 0) + sign * value;
    deltas.set(c.bucket, delta);
  }
  for (const [bucket, delta] of deltas) {
    for (const [name, value] of Object.entries(delta)) if (value === 0) delete delta[name];
    if (Object.keys(delta).length === 0) deltas.delete(bucket);
  }
  return deltas;
}

async function counterPut(store: TableStore, tenantId: string, bucket: string, delta: Record<string, number>): Promise<TransactOperation> {
  const key = dashboardKeys.counter(tenantId, bucket);
  const stored = await store.get(key, { consistent: true });
  const values: Record<string, number> = { ...((stored?.values ?? {}) as Record<string, number>) };
  for (const [name, value] of Object.entries(delta)) {
    const next = (values[name] ?? 0) + value;
    if (next === 0) delete values[name];
    else values[name] = next;
  }
  const item: Item = { ...key, entity: DASHBOARD_COUNTER_ENTITY, tenantId, bucket, values, version: ((stored?.version as number | undefined) ?? 0) + 1 };
  return { type: 'put', item, condition: stored ? { kind: 'equals', attribute: 'version', value: stored.version as number } : { kind: 'notExists' } };
}

/** The counter items of one figure group: one Query of a sort-key range of the tenant's dashboard partition. */
export async function readDashboardCounters(store: TableStore, tenantId: string, range: { beginsWith: string } | { between: [string, string] }): Promise<Array<{ bucket: string; values: Record<string, number> }>> {
  const page = await store.query({ partition: dashboardKeys.partition(tenantId), sortKey: range, limit: 100 });
  return page.items.map((i) => ({ bucket: i.sk, values: (i.values ?? {}) as Record<string, number> }));
}
