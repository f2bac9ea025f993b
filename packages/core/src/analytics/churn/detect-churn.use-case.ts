import { auditEntryFrom, auditPutOperation } from '../../audit/audit-entry';
import { customerKeys } from '../../customers/customer.keys';
import { orderKeys } from '../../orders/order.keys';
import type { AnalyticsEngine } from '../../ports/analytics-engine.port';
import type { Clock } from '../../ports/clock.port';
import type { IdGenerator } from '../../ports/id-generator.port';
import { TransactionConflictError, type Item, type TableStore, type TransactOperation } from '../../ports/table-store.port';
import { systemContext } from '../../principal';
import { loadAnalyticsSettings } from '../analytics-settings';
import { churnKeys, toChurnEpisode, toChurnItem, type ChurnEpisode } from './churn-episode';

/** Who the churn job is attributed to (audit actor). */
export const CHURN_ACTOR = 'system:detect-churn';

export interface DetectChurnDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
  engine: AnalyticsEngine;
}

export interface DetectChurnResult {
  tenantId: string;
  /** The tenant's analytics settings the run used: currency, churnDays, churnEnabled. */
  currency: string;
  days: number;
  enabled: boolean;
  asOf: string;
  /** Customers the churn-risk report listed. */
  atRisk: number;
  /** Episodes opened now (one customer.churn-risk each). */
  opened: number;
  /** At risk, but an episode is already open (no new event). */
  suppressed: number;
  /** Open episodes closed because the customer paid again (re-armed). */
  rearmed: number;
  /** At risk in the lake but the live order stats show a newer paid order, or no live profile. */
  skipped: number;
  /** Writes lost to concurrent changes; the next run retries. */
  conflicts: number;
}

const isLiveProfile = (item: Item | undefined) => !!item && item.entity === 'customer' && !item.deletedAt && !item.mergedInto;

/** The newest paid order time of a customer's live order stats in one currency (ISO), if any. */
function lastPaidAt(stats: Item | undefined, currency: string): string | undefined {
  const currencies = (stats?.currencies ?? {}) as Record<string, { lastOrderAt?: string; paidCount?: number }>;
  const c = currencies[currency];
  return c && (c.paidCount ?? 0) > 0 && c.lastOrderAt ? new Date(c.lastOrderAt).toISOString() : undefined;
}

const later = (a: string | undefined, b: string) => a !== undefined && Date.parse(a) > Date.parse(b);

/**
 * The churn trigger for one tenant, run daily with the tenant's analytics settings (currency,
 * `churnDays`, `churnEnabled`; read once per run, packages/core/src/analytics/analytics-settings.ts):
 * 1. Re-arm: every open episode (gsi1 `T#t#CHURN#OPEN`) whose customer has a paid order after the
 *    episode's `lastOrderAt` (live order stats, `ORDERSTATS`) is closed.
 * 2. Unless switched off (`churnEnabled`): the `churn-risk` report (as of now, `days`, one currency)
 *    lists high-value customers without a recent paid order. For each live customer without an
 *    open episode — and whose live stats show no paid order newer than the lake's (the export may
 *    lag) — an episode is opened, which the change feed publishes as `customer.churn-risk`
 *    (churn-events.ts). An open episode suppresses further events until it is closed, so one event
 *    per episode however often the job runs.
 * Episode writes are conditional on the item's version (absent = not exists). One audit entry per run.
 */
export async function detectChurn(deps: DetectChurnDeps, tenantId: string): Promise<DetectChurnResult> {
  const { currency, churnDays: days, churnEnabled: enabled } = await loadAnalyticsSettings(deps.store, tenantId);
  const now = deps.clock.now().toISOString();
  const result: DetectChurnResult = { tenantId, currency, days, enabled, asOf: now, atRisk: 0, opened: 0, suppressed: 0, rearmed: 0, skipped: 0, conflicts: 0 };

  // 1. Re-arm customers who bought again.
  const open: Item[] = [];
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await deps.store.query({ index: 'gsi1', partition: churnKeys.open(tenantId), limit: 500, ...(startAfter ? { startAfter } : {}) });
    open.push(...page.items);
    startAfter = page.lastKey;
  } while (startAfter);
  if (open.length > 0) {
    const stats = await deps.store.batchGet(open.map((e) => orderKeys.stats(tenantId, String(e.id))));
    const statsOf = new Map(stats.map((s) => [String(s.customerId), s]));
    const closes: TransactOperation[][] = [];
    for (const item of open) {
      const episode = toChurnEpisode(item);
      if (episode.status !== 'open' || !later(lastPaidAt(statsOf.get(episode.customerId), episode.currency), episode.lastOrderAt)) continue;
      const closed: ChurnEpisode = { ...episode, status: 'closed', closedAt: now, closedBy: 'purchase', version: episode.version + 1, updatedAt: now };
      closes.push([{ type: 'put', item: toChurnItem(tenantId, closed), condition: { kind: 'equals', attribute: 'version', value: episode.version } }]);
    }
    for (const error of await deps.store.transactEach(closes)) {
      if (!error) result.rearmed += 1;
      else if (error instanceof TransactionConflictError) result.conflicts += 1;
      else throw error;
    }
  }

  // 2. Open episodes for customers at risk.
  const rows = enabled ? await deps.engine.run(tenantId, 'churn-risk', { currency, asOf: now, days }) : [];
  result.atRisk = rows.length;
  for (let start = 0; start < rows.length; start += 100) {
    const chunk = rows.slice(start, start + 100);
    const ids = chunk.map((r) => String(r.customer_id));
    const [episodes, profiles, stats] = await Promise.all([
      deps.store.batchGet(ids.map((id) => churnKeys.episode(tenantId, id))),
      deps.store.batchGet(ids.map((id) => customerKeys.profile(tenantId, id))),
      deps.store.batchGet(ids.map((id) => orderKeys.stats(tenantId, id))),
    ]);
    const episodeOf = new Map(episodes.map((e) => [String(e.id), toChurnEpisode(e)]));
    const profileOf = new Map(profiles.map((p) => [String(p.id), p]));
    const statsOf = new Map(stats.map((s) => [String(s.customerId), s]));
    const opens: TransactOperation[][] = [];
    for (const row of chunk) {
      const id = String(row.customer_id);
      const previous = episodeOf.get(id);
      const lastOrderAt = String(row.last_order_at);
      if (previous?.status === 'open') {
        result.suppressed += 1;
        continue;
      }
      if (!isLiveProfile(profileOf.get(id)) || later(lastPaidAt(statsOf.get(id), currency), lastOrderAt)) {
        result.skipped += 1;
        continue;
      }
      const episode: ChurnEpisode = {
        customerId: id, status: 'open', episode: (previous?.episode ?? 0) + 1, openSince: now, lastOrderAt,
        recencyDays: Number(row.recency_days), frequency: Number(row.frequency), monetary: Number(row.monetary), currency, days,
        version: (previous?.version ?? 0) + 1, updatedAt: now,
      };
      opens.push([{
        type: 'put', item: toChurnItem(tenantId, episode),
        condition: previous ? { kind: 'equals', attribute: 'version', value: previous.version } : { kind: 'notExists' },
      }]);
    }
    for (const error of await deps.store.transactEach(opens)) {
      if (!error) result.opened += 1;
      else if (error instanceof TransactionConflictError) result.conflicts += 1;
      else throw error;
    }
  }

  const { tenantId: _t, ...counts } = result;
  await deps.store.transact([auditPutOperation(auditEntryFrom(systemContext(tenantId, CHURN_ACTOR), {
    action: 'analytics:detect-churn', resource: 'customer', detail: counts,
  }, deps.clock, deps.ids))]);
  return result;
}

