import * as z from 'zod';
import { fieldAccess, type SecuredContext } from '../../access/access-policy';
import type { Clock } from '../../ports/clock.port';
import type { TableStore } from '../../ports/table-store.port';
import { pipelineKeys } from '../../pipelines/pipeline.keys';
import { toPipeline } from '../../pipelines/pipeline.repository';
import { counterScopeOf, readCounters, stageTotals } from '../../pipelines/stage-counters';
import { RFM_SEGMENTS } from '../rfm-segments';
import { isWithin } from '../../access/data-scope';
import { readDashboardCounters } from './dashboard-counters';
import { ORDERS_BUCKET_PREFIX, SEGMENT_BUCKET_PREFIX, UNIT_ORDERS_BUCKET_PREFIX, UNIT_SEGMENT_BUCKET_PREFIX, unitBucketParts } from './dashboard.keys';

const Money = z.record(z.string(), z.number()).describe('Per ISO 4217 currency, major units (never summed across currencies)');

export const AnalyticsDashboard = z.object({
  asOf: z.string().describe('When the figures were read (they follow the change feed within seconds)'),
  /**
   * Customers per RFM segment id (the profile's `rfm.segment`, e.g. `important_value`) owned by the
   * caller's org subtree (the whole tenant for tenant data scope); null for own data scope.
   */
  customersBySegment: z.array(z.object({ segment: z.string(), customers: z.number().int() })).nullable(),
  /**
   * Paid orders (status paid now) of the current and the previous calendar month (UTC, by orderedAt)
   * of customers in the caller's org subtree (an order counts in the unit its customer had when it
   * was first counted); the whole tenant for tenant data scope; null for own data scope.
   */
  paidOrders: z.array(z.object({
    month: z.string().describe('yyyy-mm'),
    count: z.record(z.string(), z.number().int()).describe('Per currency'),
    amount: Money.optional().describe('Per currency; left out when the role hides the order amount'),
  })).nullable(),
  /** Live deals per pipeline and stage (the board counters), within the caller's org subtree; null for own data scope. */
  deals: z.object({
    countScope: z.string(),
    pipelines: z.array(z.object({
      pipelineId: z.string(),
      name: z.string(),
      stages: z.array(z.object({ key: z.string(), name: z.string(), count: z.number().int(), amount: Money.optional() })),
    })),
  }).nullable(),
}).meta({ id: 'AnalyticsDashboard' });
export type AnalyticsDashboard = z.infer<typeof AnalyticsDashboard>;

/**
 * `GET /v1/analytics/dashboard`: small pre-aggregated figures, one Query per figure group (segment
 * counters, the two month counters, the tenant's pipelines, then each pipeline's board counters in
 * parallel) — independent of the number of customers, orders and deals. Every figure covers the
 * caller's org subtree like the pipeline board (counterScopeOf): tenant scope reads the tenant
 * totals, subtree scope sums the per-unit counters of the units within its org path (one Query per
 * group, O(figures × org units)), own data scope gets null (counters are kept per org unit, not per
 * owner).
 */
export async function getAnalyticsDashboard(deps: { store: TableStore; clock: Clock }, ctx: SecuredContext): Promise<AnalyticsDashboard> {
  const { tenantId } = ctx.principal;
  const now = deps.clock.now();
  const countScope = counterScopeOf(ctx);
  const current = now.toISOString().slice(0, 7);
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);

  const read = (range: Parameters<typeof readDashboardCounters>[2]) => readDashboardCounters(deps.store, tenantId, range);
  const [segments, months, deals] = await Promise.all([
    countScope === null ? undefined : countScope === '/'
      ? read({ beginsWith: SEGMENT_BUCKET_PREFIX }).then((c) => figuresOf(c, SEGMENT_BUCKET_PREFIX))
      : read({ beginsWith: UNIT_SEGMENT_BUCKET_PREFIX }).then((c) => unitFiguresWithin(c, countScope)),
    countScope === null ? undefined : countScope === '/'
      ? read({ between: [`${ORDERS_BUCKET_PREFIX}${previous}`, `${ORDERS_BUCKET_PREFIX}${current}`] }).then((c) => figuresOf(c, ORDERS_BUCKET_PREFIX))
      // `~` sorts after every org key (`/…`): the range holds exactly the two months' unit counters.
      : read({ between: [`${UNIT_ORDERS_BUCKET_PREFIX}${previous}#`, `${UNIT_ORDERS_BUCKET_PREFIX}${current}#~`] }).then((c) => unitFiguresWithin(c, countScope)),
    countScope === null ? undefined : dealFigures(deps.store, tenantId, countScope, fieldAccess(ctx.access, 'deals', 'amount') !== 'hidden'),
  ]);

  const showOrderAmounts = fieldAccess(ctx.access, 'orders', 'amount') !== 'hidden';
  return {
    asOf: now.toISOString(),
    customersBySegment: segments ? segmentFigures(segments) : null,
    paidOrders: months ? [current, previous].map((month) => monthFigures(month, months.get(month) ?? {}, showOrderAmounts)) : null,
    deals: deals ? { countScope: countScope!, pipelines: deals } : null,
  };
}

type Values = Record<string, number>;

/** Tenant totals by figure (segment id, month): the sort key after the group prefix. */
function figuresOf(counters: Array<{ bucket: string; values: Values }>, prefix: string): Map<string, Values> {
  return new Map(counters.map((c) => [c.bucket.slice(prefix.length), c.values]));
}

/** Per-unit counters summed by figure over the org units within `scope` (as the board sums stage counters). */
function unitFiguresWithin(counters: Array<{ bucket: string; values: Values }>, scope: string): Map<string, Values> {
  const sums = new Map<string, Values>();
  for (const c of counters) {
    const { figure, orgPath } = unitBucketParts(c.bucket);
    if (!isWithin(orgPath, scope)) continue;
    const sum = sums.get(figure) ?? {};
    for (const [name, value] of Object.entries(c.values)) sum[name] = (sum[name] ?? 0) + value;
    sums.set(figure, sum);
  }
  return sums;
}

/** Segment ids as the RFM write-back stores them on profiles (`important_value`, …), in the classic order. */
const SEGMENT_IDS: readonly string[] = RFM_SEGMENTS.map((s) => s.name.replace(/ /g, '_'));

/** The 8 classic segments in their fixed order (zeros included), then any other segment id found. */
function segmentFigures(figures: Map<string, Values>): Array<{ segment: string; customers: number }> {
  const counts = new Map([...figures].map(([segment, values]) => [segment, values.customers ?? 0]));
  const names = [...SEGMENT_IDS, ...[...counts.keys()].filter((s) => !SEGMENT_IDS.includes(s)).sort()];
  return names.map((segment) => ({ segment, customers: counts.get(segment) ?? 0 }));
}

function monthFigures(month: string, values: Record<string, number>, withAmounts: boolean): NonNullable<AnalyticsDashboard['paidOrders']>[number] {
  const count: Record<string, number> = {};
  const amount: Record<string, number> = {};
  for (const [name, value] of Object.entries(values).sort(([a], [b]) => a.localeCompare(b))) {
    const [kind, currency] = name.split(':') as [string, string];
    if (kind === 'count') count[currency] = value;
    else if (kind === 'cents') amount[currency] = value / 100;
  }
  return { month, count, ...(withAmounts ? { amount } : {}) };
}

async function dealFigures(store: TableStore, tenantId: string, countScope: string, withAmounts: boolean): Promise<NonNullable<AnalyticsDashboard['deals']>['pipelines']> {
  const page = await store.query({ index: 'gsi1', partition: pipelineKeys.list(tenantId, false), limit: 200 });
  const pipelines = page.items.map(toPipeline);
  const counters = await Promise.all(pipelines.map((p) => readCounters(store, tenantId, p.id)));
  return pipelines.map((p, i) => ({
    pipelineId: p.id,
    name: p.name,
    stages: p.stages.map((s) => {
      const { count, amount } = stageTotals(counters[i]!, s.key, countScope);
      return { key: s.key, name: s.name, count, ...(withAmounts ? { amount } : {}) };
    }),
  }));
}
