import { customerKeys } from '../../customers/customer.keys';
import { rfmWriteStamp } from '../scoring/rfm-profile';
import type { ChangeRecord } from '../../events/change-record-events';
import { TransactionConflictError, type Item, type TableStore, type TransactOperation } from '../../ports/table-store.port';
import { dashboardKeys } from './dashboard.keys';

/**
 * The dashboard's incremental figures, moved by the change feed (`update-dashboard` consumer):
 * customers per RFM segment (from `rfm.segment` of live customer profiles) and paid orders per month
 * and currency (orders whose status is `paid`, by the month of orderedAt, UTC) — each kept as a
 * tenant total and per org unit (dashboard.keys.ts). A customer counts in its own `orgPath`; a
 * paid order in the org unit its customer had when the order was first counted (kept on the
 * order's mark, so later versions of the order — a refund — move the same unit's counter).
 *
 * Exactly once under at-least-once delivery: each source record (a customer, an order) has a mark
 * item holding what it currently contributes and the source version that is from. A change record
 * is applied only when it is newer than the mark (version, then `rfm.scoredAt` for customers, whose
 * RFM write-back keeps the version); the counters then move by
 * (new contribution − marked contribution) and the mark is rewritten, all in one transaction that is
 * conditional on the versions read (counters and mark). A redelivered or older record finds the mark
 * at its version or later and changes nothing; a concurrent writer makes the transaction fail and it
 * is recomputed from fresh reads. Deltas come from the mark, never from the record's old image, so a
 * lost or reordered intermediate record cannot skew a counter either — and a customer moved to
 * another org unit leaves the old unit's counter (−1) for the new one's (+1) in the same transaction.
 */
export const DASHBOARD_COUNTER_ENTITY = 'dashboard-counter';
export const DASHBOARD_MARK_ENTITY = 'dashboard-mark';

/** What one source record adds to one counter: named integer values (counts, cents). */
export interface Contribution {
  bucket: string;
  values: Record<string, number>;
}

/** A record's contributions: nothing, or its tenant total and its org unit's counter. */
export type Contributions = Contribution[];

/** One source record as the dashboard sees it. */
export interface DashboardSource {
  kind: 'customer' | 'order';
  tenantId: string;
  id: string;
  version: number;
  /**
   * Orders records of the same version: writes that keep the version (the score-rfm job writes or
   * removes `rfm` without a version bump) carry a later `rfm.scoredAt` / `rfmClearedAt`. Empty for orders.
   */
  subVersion: string;
  /** A REMOVE record (hard delete, TTL expiry): ranks after the live image of the same version. */
  removed: boolean;
  /** An INSERT record: after a removal it counts again even with the removed version (rehydrated). */
  inserted: boolean;
  /** The live image (none for a REMOVE record). */
  image: Record<string, unknown> | undefined;
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
    subVersion: kind === 'customer' ? rfmWriteStamp(any) : '',
    removed: record.eventName === 'REMOVE', inserted: record.eventName === 'INSERT', image,
  };
}

const orgPathOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : '/');

/**
 * A live customer with an RFM segment counts 1 in its segment, in the tenant total and in its org
 * unit (`orgPath`, `/` when none); deleted and merged ones count nowhere.
 */
export function customerContributions(image: Record<string, unknown>): Contributions {
  if (image.deletedAt || image.mergedInto) return [];
  const segment = (image.rfm as { segment?: unknown } | undefined)?.segment;
  if (typeof segment !== 'string' || segment === '') return [];
  const values = { customers: 1 };
  return [{ bucket: dashboardKeys.segmentBucket(segment), values }, { bucket: dashboardKeys.unitSegmentBucket(segment, orgPathOf(image.orgPath)), values }];
}

/** Whether an order image counts at all: paid, with a time, currency and amount. */
export function isCountedOrder(image: Record<string, unknown>): image is Record<string, unknown> & { orderedAt: string; currency: string; amount: number } {
  return image.status === 'paid' && typeof image.orderedAt === 'string' && typeof image.currency === 'string' && typeof image.amount === 'number';
}

/**
 * A paid order counts 1 and its amount (cents) in its month and currency, in the tenant total and
 * in the org unit `orgPath` (its customer's); refunded and cancelled ones leave.
 */
export function orderContributions(image: Record<string, unknown>, orgPath: string): Contributions {
  if (!isCountedOrder(image)) return [];
  const values = { [`count:${image.currency}`]: 1, [`cents:${image.currency}`]: Math.round(image.amount * 100) };
  return [{ bucket: dashboardKeys.ordersBucket(image.orderedAt), values }, { bucket: dashboardKeys.unitOrdersBucket(image.orderedAt, orgPath), values }];
}

/** What a mark says its record contributes (marks written before per-unit counters hold one `contribution`). */
function markedContributions(mark: Item | undefined): Contributions {
  if (!mark) return [];
  if (Array.isArray(mark.contributions)) return mark.contributions as Contributions;
  return mark.contribution ? [mark.contribution as Contribution] : [];
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
    const before = markedContributions(mark);
    // An order keeps the org unit it was first counted in (its mark's); else its customer's now.
    const orderUnit = source.kind === 'order' && source.image && isCountedOrder(source.image)
      ? (typeof mark?.orgPath === 'string' ? mark.orgPath : await customerOrgPath(store, source.tenantId, source.image.customerId))
      : (mark?.orgPath as string | undefined);
    const after = !source.image ? [] : source.kind === 'customer' ? customerContributions(source.image) : orderContributions(source.image, orderUnit ?? '/');
    const deltas = contributionDeltas(before, after);
    // Nothing moves: no write (streams keep per-item order, so skipping the mark cannot let an older record in later).
    if (deltas.size === 0) return 'unchanged';
    const operations: TransactOperation[] = [{
      type: 'put',
      item: {
        ...markKey, entity: DASHBOARD_MARK_ENTITY, tenantId: source.tenantId, kind: source.kind, sourceId: source.id,
        sourceVersion: source.version, sourceSubVersion: source.subVersion, removed: source.removed, contributions: after,
        ...(orderUnit !== undefined ? { orgPath: orderUnit } : {}), version: ((mark?.version as number | undefined) ?? 0) + 1,
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

/** The org unit of an order's customer now (`/` when it has none or is gone). */
async function customerOrgPath(store: TableStore, tenantId: string, customerId: unknown): Promise<string> {
  if (typeof customerId !== 'string') return '/';
  return orgPathOf((await store.get(customerKeys.profile(tenantId, customerId), { consistent: true }))?.orgPath);
}

/** Per bucket, the values to add (only non-zero ones; buckets with nothing to add are left out). */
export function contributionDeltas(before: Contributions, after: Contributions): Map<string, Record<string, number>> {
  const deltas = new Map<string, Record<string, number>>();
  for (const [list, sign] of [[before, -1], [after, 1]] as const) for (const c of list) {
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

/**
 * The counter items of one figure group: one Query of a sort-key range of the tenant's dashboard
 * partition (paged through: per-unit groups hold one item per figure and org unit).
 */
export async function readDashboardCounters(store: TableStore, tenantId: string, range: { beginsWith: string } | { between: [string, string] }): Promise<Array<{ bucket: string; values: Record<string, number> }>> {
  const out: Array<{ bucket: string; values: Record<string, number> }> = [];
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await store.query({ partition: dashboardKeys.partition(tenantId), sortKey: range, limit: 1000, ...(startAfter ? { startAfter } : {}) });
    out.push(...page.items.map((i) => ({ bucket: i.sk, values: (i.values ?? {}) as Record<string, number> })));
    startAfter = page.lastKey;
  } while (startAfter);
  return out;
}
