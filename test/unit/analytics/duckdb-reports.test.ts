import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDbAnalyticsEngine, createDuckDbConnection } from '@crm/adapters/duckdb';
import { RFM_SEGMENTS, type AnalyticsRow } from '@crm/core';
import {
  generateOrders, generateStageChanges, writeLake, type OrderRow, type StageChangeRow,
} from '../../support/analytics/synthetic-lake';

/**
 * Every report on DuckDB over a small synthetic lake (2 tenants, ~2,500 order rows, ~1,600 stage
 * changes) against an independent computation in plain TypeScript over the same rows. DuckDB must
 * match exactly (money compared in cents, medians exactly).
 */
const DAY = 86_400_000;
const AS_OF = '2026-06-01T00:00:00.000Z';
const AS_OF_MS = Date.parse(AS_OF);
const A = 'tenant-a';
const B = 'tenant-b';

let dir: string;
let connection: DuckDBConnection;
let engine: DuckDbAnalyticsEngine;
let orders: OrderRow[];
let changes: StageChangeRow[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crm-analytics-'));
  // Tenant B reuses tenant A's order ids with higher versions: if B's rows leaked into A's report,
  // the "latest version" of A's orders would change and the comparison would fail.
  const bOrders = generateOrders(B, 150, AS_OF_MS, 7, A).map((r) => ({ ...r, version: r.version + 10, status: 'cancelled' as const }));
  orders = [...generateOrders(A, 400, AS_OF_MS, 1), ...bOrders];
  // A stray row with tenant B's id inside A's partition folder: the tenant_id filter keeps it out.
  orders.push({ ...orders[0]!, tenant_id: B, order_id: 'stray', customer_id: `${B}-stray`, version: 1, status: 'paid' });
  changes = [...generateStageChanges(A, 300, AS_OF_MS - 90 * DAY, 3), ...generateStageChanges(B, 120, AS_OF_MS - 90 * DAY, 4)];
  connection = await createDuckDbConnection({ threads: 1 });
  await writeLake(connection, join(dir, 'lake'), orders, changes);
  engine = new DuckDbAnalyticsEngine({ connection, lakeRoot: join(dir, 'lake') });
});

afterAll(() => {
  connection?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const cents = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
const utcDay = (ts: string) => Math.floor(Date.parse(`${ts.replace(' ', 'T')}Z`) / DAY);
const iso = (ts: string) => `${ts.replace(' ', 'T')}Z`;

interface Expected { customer_id: string; recency_days: number; frequency: number; monetary: number; last: string }

/** The per-customer figures, computed from the generated rows without SQL. */
function perCustomer(tenant: string, currency: string, asOfMs: number): Expected[] {
  const latest = new Map<string, OrderRow>();
  for (const r of orders) {
    if (r.tenant_id !== tenant || r.partition_tenant !== tenant) continue;
    const prev = latest.get(r.order_id);
    if (!prev || r.version > prev.version) latest.set(r.order_id, r);
  }
  const byCustomer = new Map<string, Expected>();
  for (const r of latest.values()) {
    if (r.status !== 'paid' || r.currency !== currency || Date.parse(iso(r.ordered_at)) >= asOfMs) continue;
    const e = byCustomer.get(r.customer_id) ?? { customer_id: r.customer_id, recency_days: 0, frequency: 0, monetary: 0, last: '' };
    e.frequency += 1;
    e.monetary += r.amount_cents;
    if (r.ordered_at > e.last) e.last = r.ordered_at;
    byCustomer.set(r.customer_id, e);
  }
  const asOfDay = Math.floor(asOfMs / DAY);
  return [...byCustomer.values()].map((e) => ({ ...e, recency_days: asOfDay - utcDay(e.last) })).sort((a, b) => (a.customer_id < b.customer_id ? -1 : 1));
}

/** NTILE(5) over `rows` sorted by `compare`: the first n % 5 buckets get one row more. */
function ntile5<T>(rows: T[], compare: (a: T, b: T) => number): Map<T, number> {
  const sorted = [...rows].sort(compare);
  const n = sorted.length;
  const small = Math.floor(n / 5);
  const big = n % 5;
  const out = new Map<T, number>();
  let i = 0;
  for (let bucket = 1; bucket <= 5; bucket++) {
    const size = small + (bucket <= big ? 1 : 0);
    for (let k = 0; k < size; k++) out.set(sorted[i++]!, bucket);
  }
  return out;
}

const byId = <T extends { customer_id: string }>(a: T, b: T) => (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0);

function expectedRfm(tenant: string, currency: string): AnalyticsRow[] {
  const rows = perCustomer(tenant, currency, AS_OF_MS);
  const n = rows.length;
  const avgR = rows.reduce((s, r) => s + r.recency_days, 0) / n;
  const avgF = rows.reduce((s, r) => s + r.frequency, 0) / n;
  const avgM = rows.reduce((s, r) => s + r.monetary, 0) / n;
  const r = ntile5(rows, (a, b) => b.recency_days - a.recency_days || byId(a, b));
  const f = ntile5(rows, (a, b) => a.frequency - b.frequency || byId(a, b));
  const m = ntile5(rows, (a, b) => a.monetary - b.monetary || byId(a, b));
  return rows.map((row) => {
    const rHigh = row.recency_days < avgR;
    const fHigh = row.frequency > avgF;
    const mHigh = row.monetary > avgM;
    return {
      customer_id: row.customer_id, recency_days: row.recency_days, frequency: row.frequency, monetary: cents(row.monetary),
      last_order_at: iso(row.last), r_score: r.get(row)!, f_score: f.get(row)!, m_score: m.get(row)!,
      r_high: rHigh, f_high: fHigh, m_high: mHigh,
      segment: RFM_SEGMENTS.find((s) => s.r === rHigh && s.f === fHigh && s.m === mHigh)!.name,
    };
  });
}

describe('RFM on DuckDB', () => {
  it.each(['CNY', 'EUR'])('equals the independent computation (%s)', async (currency) => {
    const rows = await engine.run(A, 'rfm', { currency, asOf: AS_OF });
    const expected = expectedRfm(A, currency);
    expect(rows.length).toBeGreaterThan(100);
    expect(rows).toEqual(expected);
  });

  it('uses all 8 segments and scores 1..5 on this data', async () => {
    const rows = await engine.run(A, 'rfm', { currency: 'CNY', asOf: AS_OF });
    expect(new Set(rows.map((r) => r.segment))).toEqual(new Set(RFM_SEGMENTS.map((s) => s.name)));
    for (const k of ['r_score', 'f_score', 'm_score']) expect(new Set(rows.map((r) => r[k]))).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it('keeps tenants apart: B never in A, A never in B', async () => {
    const a = await engine.run(A, 'rfm', { currency: 'CNY', asOf: AS_OF });
    expect(a.every((r) => String(r.customer_id).startsWith(`${A}-`))).toBe(true);
    // All of B's (cancelled) versions are newer than A's: they would wipe A's results if mixed in.
    const b = await engine.run(B, 'rfm', { currency: 'CNY', asOf: AS_OF });
    expect(b).toEqual([]);
  });

  it('answers a tenant without lake files with no rows', async () => {
    expect(await engine.run('tenant-none', 'rfm', { currency: 'CNY', asOf: AS_OF })).toEqual([]);
  });

  it('rejects bad params and tenant ids before any SQL runs', async () => {
    await expect(engine.run(A, 'rfm', { currency: "CNY' OR 1=1 --", asOf: AS_OF })).rejects.toThrow();
    await expect(engine.run('../tenant-b', 'rfm', { currency: 'CNY', asOf: AS_OF })).rejects.toThrow();
  });
});

describe('churn risk on DuckDB', () => {
  it.each([30, 60])('lists high-value customers without a paid order for %i days', async (days) => {
    const rows = await engine.run(A, 'churn-risk', { currency: 'CNY', asOf: AS_OF, days });
    const all = perCustomer(A, 'CNY', AS_OF_MS);
    const avgM = all.reduce((s, r) => s + r.monetary, 0) / all.length;
    const expected = all.filter((r) => r.monetary > avgM && r.recency_days >= days)
      .map((r) => ({ customer_id: r.customer_id, recency_days: r.recency_days, frequency: r.frequency, monetary: cents(r.monetary), last_order_at: iso(r.last) }));
    expect(expected.length).toBeGreaterThan(3);
    expect(rows).toEqual(expected);
  });

  it('is exactly the "important *" RFM customers past the threshold, default 30 days', async () => {
    const rfm = await engine.run(A, 'rfm', { currency: 'CNY', asOf: AS_OF });
    const churn = await engine.run(A, 'churn-risk', { currency: 'CNY', asOf: AS_OF });
    expect(churn.map((r) => r.customer_id)).toEqual(
      rfm.filter((r) => String(r.segment).startsWith('important ') && Number(r.recency_days) >= 30).map((r) => r.customer_id),
    );
  });
});

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

describe('funnel on DuckDB', () => {
  const STAGES = ['lead', 'qualified', 'proposal', 'negotiation', 'won'];
  const from = new Date(AS_OF_MS - 80 * DAY).toISOString();
  const to = new Date(AS_OF_MS - 20 * DAY).toISOString();

  it('equals the independent computation: reached, lost, median time in stage, conversion', async () => {
    const rows = await engine.run(A, 'funnel', { pipelineId: 'p-1', from, to, stages: STAGES });
    const inRange = changes.filter((c) => c.tenant_id === A && c.pipeline_id === 'p-1'
      && Date.parse(iso(c.changed_at)) >= Date.parse(from) && Date.parse(iso(c.changed_at)) < Date.parse(to));
    const stagesSeen = new Set(inRange.flatMap((c) => [c.to_stage, ...(c.from_stage ? [c.from_stage] : [])]));
    const figures = new Map([...stagesSeen].map((s) => [s, {
      stage: s,
      deals_reached: new Set(inRange.filter((c) => c.to_stage === s).map((c) => c.deal_id)).size,
      deals_lost: new Set(inRange.filter((c) => c.from_stage === s && c.outcome === 'lost').map((c) => c.deal_id)).size,
      median_ms: median(inRange.filter((c) => c.from_stage === s).map((c) => c.duration_ms!)),
    }]));
    const listed = STAGES.map((s) => figures.get(s)!);
    const unlisted = [...figures.values()].filter((f) => !STAGES.includes(f.stage)); // only 'lost' here
    const expected = [
      ...listed.map((f, i) => ({ ...f, position: i + 1, conversion_to_next: i + 1 < STAGES.length ? listed[i + 1]!.deals_reached / f.deals_reached : null })),
      ...unlisted.map((f, i) => ({ ...f, position: STAGES.length + i + 1, conversion_to_next: null })),
    ];
    expect(unlisted.map((f) => f.stage)).toEqual(['lost']);
    expect(listed.every((f) => f.deals_reached > 0)).toBe(true);
    expect(rows).toEqual(expected);
  });

  it('keeps tenants and pipelines apart', async () => {
    const a = await engine.run(A, 'funnel', { pipelineId: 'p-2', from, to });
    const b = await engine.run(B, 'funnel', { pipelineId: 'p-2', from, to });
    const count = (t: string) => new Set(changes.filter((c) => c.tenant_id === t && c.pipeline_id === 'p-2' && c.to_stage === 'lead'
      && Date.parse(iso(c.changed_at)) >= Date.parse(from) && Date.parse(iso(c.changed_at)) < Date.parse(to)).map((c) => c.deal_id)).size;
    expect(a.find((r) => r.stage === 'lead')?.deals_reached).toBe(count(A));
    expect(b.find((r) => r.stage === 'lead')?.deals_reached).toBe(count(B));
    expect(count(A)).not.toBe(count(B));
  });
});

describe('a page of a report on DuckDB (what a stored query keeps)', () => {
  it('is the start of the whole result, with the whole count, for every report', async () => {
    const cases = [
      ['rfm', { currency: 'CNY', asOf: AS_OF }],
      ['churn-risk', { currency: 'CNY', asOf: AS_OF, days: 10 }],
      ['funnel', { pipelineId: 'p-1', from: new Date(AS_OF_MS - 80 * DAY).toISOString(), to: new Date(AS_OF_MS - 20 * DAY).toISOString(), stages: ['lead', 'qualified', 'proposal', 'negotiation', 'won'] }],
    ] as const;
    for (const [report, params] of cases) {
      const all = await engine.run(A, report, params as never);
      expect(all.length, report).toBeGreaterThan(3);
      for (const limit of [1, 3, all.length, all.length + 5]) {
        const page = await engine.runPage(A, report, params as never, { limit });
        expect(page, `${report} limit ${limit}`).toEqual({ rows: all.slice(0, limit), rowCount: all.length });
      }
    }
  });

  it('answers an empty page for a tenant without lake files, and refuses a bad limit', async () => {
    expect(await engine.runPage('tenant-none', 'rfm', { currency: 'CNY', asOf: AS_OF }, { limit: 10 })).toEqual({ rows: [], rowCount: 0 });
    await expect(engine.runPage(A, 'rfm', { currency: 'CNY', asOf: AS_OF }, { limit: 0 })).rejects.toThrow(RangeError);
    await expect(engine.runPage(A, 'rfm', { currency: 'CNY', asOf: AS_OF }, { limit: 1.5 })).rejects.toThrow(RangeError);
  });
});
