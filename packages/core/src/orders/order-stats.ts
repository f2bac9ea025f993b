import type { Item, TableStore, TransactOperation } from '../ports/table-store.port';
import { fieldAccess, type AccessPolicy } from '../access/access-policy';
import { orderKeys } from './order.keys';
import type { CurrencyOrderStats, Order, OrderStats, OrderStatus } from './order.schema';

/**
 * The customer's monetary summary (RFM's "M" and "F", the profile's lifetime value), kept with every
 * order write in the same transaction: a read-modify-write of one item in the customer's collection,
 * conditional on the version that was read (the writer retries on a conflict). Amounts are summed in
 * cents so two-decimal amounts never drift.
 */
export const ORDER_STATS_ENTITY = 'order-stats';

/** What one order write does to its currency's totals. */
export type StatsChange =
  | { kind: 'recorded'; order: Pick<Order, 'amount' | 'currency' | 'status' | 'orderedAt'> }
  | { kind: 'status-changed'; order: Pick<Order, 'amount' | 'currency' | 'orderedAt'>; from: OrderStatus; to: OrderStatus };

const EMPTY: CurrencyOrderStats = { paidCount: 0, paidAmount: 0, refundedCount: 0, refundedAmount: 0, cancelledCount: 0 };

const add = (a: number, b: number) => (Math.round(a * 100) + Math.round(b * 100)) / 100;

/** The totals after one change (pure; the stored item is never mutated). */
export function applyStatsChange(stats: OrderStats, change: StatsChange): OrderStats {
  const { currency, amount, orderedAt } = change.order;
  const c: CurrencyOrderStats = { ...EMPTY, ...stats.currencies[currency] };
  const countPaid = () => {
    c.paidCount += 1;
    c.paidAmount = add(c.paidAmount, amount);
    if (!c.firstOrderAt || orderedAt < c.firstOrderAt) c.firstOrderAt = orderedAt;
    if (!c.lastOrderAt || orderedAt > c.lastOrderAt) c.lastOrderAt = orderedAt;
  };
  const countRefund = () => {
    c.refundedCount += 1;
    c.refundedAmount = add(c.refundedAmount, amount);
  };
  if (change.kind === 'recorded') {
    if (change.order.status === 'cancelled') c.cancelledCount += 1;
    else countPaid();
    if (change.order.status === 'refunded') countRefund();
  } else if (change.from === 'paid' && change.to === 'refunded') {
    countRefund();
  } else if (change.from === 'paid' && change.to === 'cancelled') {
    // A cancelled order was never a sale: it leaves the paid totals (first/last order times stay).
    c.paidCount -= 1;
    c.paidAmount = add(c.paidAmount, -amount);
    c.cancelledCount += 1;
  }
  return { ...stats, currencies: { ...stats.currencies, [currency]: c } };
}

/** The stored stats of a customer (consistent read); version 0 and no currencies when none yet. */
export async function loadOrderStats(store: TableStore, tenantId: string, customerId: string): Promise<OrderStats> {
  const item = await store.get(orderKeys.stats(tenantId, customerId), { consistent: true });
  return item ? toOrderStats(item) : { customerId, currencies: {}, version: 0 };
}

export function toOrderStats(item: Item): OrderStats {
  return {
    customerId: item.customerId as string,
    currencies: (item.currencies ?? {}) as Record<string, CurrencyOrderStats>,
    version: item.version as number,
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
  };
}

/** The put of the next stats version, conditional on the version that was read (absent = version 0). */
export function orderStatsPutOperation(tenantId: string, read: OrderStats, next: OrderStats, now: Date): TransactOperation {
  return {
    type: 'put',
    item: {
      ...orderKeys.stats(tenantId, read.customerId), entity: ORDER_STATS_ENTITY, tenantId,
      customerId: read.customerId, currencies: next.currencies, version: read.version + 1, updatedAt: now.toISOString(),
    },
    condition: read.version === 0 ? { kind: 'notExists' } : { kind: 'equals', attribute: 'version', value: read.version },
  };
}

/** Stats as this caller may read them: amounts go when the role hides the order `amount` field. */
export function maskOrderStats(access: AccessPolicy, stats: OrderStats): OrderStats {
  if (fieldAccess(access, 'orders', 'amount') !== 'hidden') return stats;
  const currencies: Record<string, CurrencyOrderStats> = {};
  for (const [code, { paidAmount: _p, refundedAmount: _r, ...rest }] of Object.entries(stats.currencies)) currencies[code] = rest as CurrencyOrderStats;
  return { ...stats, currencies };
}
