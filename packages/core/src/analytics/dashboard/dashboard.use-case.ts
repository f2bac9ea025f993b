import * as z from 'zod';
import { fieldAccess, type SecuredContext } from '../../access/access-policy';
import type { Clock } from '../../ports/clock.port';
import type { TableStore } from '../../ports/table-store.port';
import { pipelineKeys } from '../../pipelines/pipeline.keys';
import { toPipeline } from '../../pipelines/pipeline.repository';
import { counterScopeOf, readCounters, stageTotals } from '../../pipelines/stage-counters';
import { RFM_SEGMENTS } from '../rfm-segments';
import { readDashboardCounters } from './dashboard-counters';
import { ORDERS_BUCKET_PREFIX, SEGMENT_BUCKET_PREFIX } from './dashboard.keys';

const Money = z.record(z.string(), z.number()).describe('Per ISO 4217 currency, major units (never summed across currencies)');

export const AnalyticsDashboard = z.object({
  asOf: z.string().describe('When the figures were read (they follow the change feed within seconds)'),
  /** Customers per RFM segment id (the profile's `rfm.segment`, e.g. `important_value`); null unless the caller sees the whole tenant. */
  customersBySegment: z.array(z.object({ segment: z.string(), customers: z.number().int() })).nullable(),
  /** Paid orders (status paid now) of the current and the previous calendar month (UTC, by orderedAt); null unless tenant scope. */
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
 * parallel) — independent of the number of customers, orders and deals. The segment and order
 * figures are kept per tenant only, so they need tenant data scope; deal counts cover the caller's
 * org subtree like the pipeline board.
 */
export async function getAnalyticsDashboard(deps: { store: TableStore; clock: Clock }, ctx: SecuredContext): Promise<AnalyticsDashboard> {
  const { tenantId } = ctx.principal;
  const now = deps.clock.now();
  const tenantWide = ctx.access.dataScope === 'tenant';
  const countScope = counterScopeOf(ctx);
  const current = now.toISOString().slice(0, 7);
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);

  const [segments, months, deals] = await Promise.all([
    tenantWide ? readDashboardCounters(deps.store, tenantId, { beginsWith: SEGMENT_BUCKET_PREFIX }) : undefined,
    tenantWide ? readDashboardCounters(deps.store, tenantId, { between: [`${ORDERS_BUCKET_PREFIX}${previous}`, `${ORDERS_BUCKET_PREFIX}${current}`] }) : undefined,
    countScope === null ? undefined : dealFigures(deps.store, tenantId, countScope, fieldAccess(ctx.access, 'deals', 'amount') !== 'hidden'),
  ]);

  const showOrderAmounts = fieldAccess(ctx.access, 'orders', 'amount') !== 'hidden';
  return {
    asOf: now.toISOString(),
    customersBySegment: segments ? segmentFigures(segments) : null,
    paidOrders: months ? [current, previous].map((month) => monthFigures(month, months.find((m) => m.bucket === `${ORDERS_BUCKET_PREFIX}${month}`)?.values ?? {}, showOrderAmounts)) : null,
    deals: deals ? { countScope: countScope!, pipelines: deals } : null,
  };
}

/** Segment ids as the RFM write-back stores them on profiles (`important_value`, …), in the classic order. */
const SEGMENT_IDS: readonly string[] = RFM_SEGMENTS.map((s) => s.name.replace(/ /g, '_'));

/** The 8 classic segments in their fixed order (zeros included), then any other segment id found. */
function segmentFigures(counters: Array<{ bucket: string; values: Record<string, number> }>): Array<{ segment: string; customers: number }> {
  const counts = new Map(counters.map((c) => [c.bucket.slice(SEGMENT_BUCKET_PREFIX.length), c.values.customers ?? 0]));
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
