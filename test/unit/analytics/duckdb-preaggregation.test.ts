import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDbAnalyticsEngine, createDuckDbConnection } from '@crm/adapters/duckdb';
import { generateOrders, generateStageChanges, writeLake, type OrderRow } from '../../support/analytics/synthetic-lake';

/**
 * The DuckDB engine's lake mirror and pre-aggregated customer order summary must give exactly the
 * rows of the full computation over the Parquet files: after the first build, after incremental refreshes with new files (new orders, refunds
 * and re-payments of known orders), after a file disappears (rebuild), and for a historical as-of
 * (where it must not be used).
 */
const DAY = 86_400_000;
const END = Date.parse('2026-06-01T00:00:00.000Z');
const AFTER_ALL = '2026-06-15T00:00:00.000Z';
const T = 'tenant-p';

let dir: string;
let lake: string;
let connection: DuckDBConnection;
let full: DuckDbAnalyticsEngine;
let pre: DuckDbAnalyticsEngine;
let first: OrderRow[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crm-preagg-'));
  lake = join(dir, 'lake');
  connection = await createDuckDbConnection({ threads: 1 });
  first = generateOrders(T, 200, END - 30 * DAY, 11);
  await writeLake(connection, lake, first, generateStageChanges(T, 150, END - 90 * DAY, 21), 'batch1');
  full = new DuckDbAnalyticsEngine({ connection, lakeRoot: lake });
  pre = new DuckDbAnalyticsEngine({ connection, lakeRoot: lake, preAggregate: true });
});

afterAll(() => {
  connection?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

async function expectSame(asOf: string, expectSummaryUsed: boolean) {
  for (const currency of ['CNY', 'EUR']) {
    const expected = await full.run(T, 'rfm', { currency, asOf });
    expect(expected.length).toBeGreaterThan(20);
    expect(await pre.run(T, 'rfm', { currency, asOf })).toEqual(expected);
    expect(await pre.run(T, 'churn-risk', { currency, asOf, days: 10 })).toEqual(await full.run(T, 'churn-risk', { currency, asOf, days: 10 }));
  }
  const funnel = { pipelineId: 'p-1', from: new Date(END - 80 * DAY).toISOString(), to: AFTER_ALL, stages: ['lead', 'qualified', 'proposal', 'negotiation', 'won'] };
  const expectedFunnel = await full.run(T, 'funnel', funnel);
  expect(expectedFunnel.length).toBeGreaterThan(4);
  expect(await pre.run(T, 'funnel', funnel)).toEqual(expectedFunnel);
  const state = await pre.refreshSummary(T);
  expect(state!.maxLastOrderAt! < asOf.replace('T', ' ').replace('Z', '000')).toBe(expectSummaryUsed);
}

describe('DuckDB lake mirror and pre-aggregated customer order summary', () => {
  it('equals the full computation after the first build', async () => {
    await expectSame(AFTER_ALL, true);
  });

  it('equals the full computation after incremental refreshes with new files', async () => {
    // New orders, plus later versions of known orders: refunds, and refunded orders paid again.
    const known = first.filter((r) => r.version === 1).slice(0, 120);
    const later: OrderRow[] = [
      ...generateOrders(T, 60, END, 12, `${T}-b2`),
      ...known.filter((_, i) => i % 3 === 0).map((r) => ({ ...r, status: 'refunded' as const, version: 5 })),
      ...known.filter((_, i) => i % 3 === 1).map((r) => ({ ...r, status: 'paid' as const, version: 5 })),
    ];
    await writeLake(connection, lake, later, generateStageChanges(T, 80, END - 60 * DAY, 22), 'batch2');
    await expectSame(AFTER_ALL, true);
    // And once more: the re-paid orders refunded again.
    await writeLake(connection, lake, known.filter((_, i) => i % 3 === 1).map((r) => ({ ...r, status: 'refunded' as const, version: 6 })), [], 'batch3');
    await expectSame(AFTER_ALL, true);
  });

  it('is rebuilt when a file disappears (compaction), and still equals the full computation', async () => {
    const partition = join(lake, 'orders', `tenant=${T}`);
    const dt = readdirSync(partition).find((d) => readdirSync(join(partition, d)).some((f) => f.startsWith('batch2')))!;
    const file = readdirSync(join(partition, dt)).find((f) => f.startsWith('batch2'))!;
    rmSync(join(partition, dt, file));
    await expectSame(AFTER_ALL, true);
  });

  it('answers RFM at any as-of after every order from the result it keeps, shifting only recency_days', async () => {
    for (const later of [AFTER_ALL, new Date(Date.parse(AFTER_ALL) + 3 * DAY + 5_000).toISOString(), new Date(Date.parse(AFTER_ALL) + 400 * DAY).toISOString()]) {
      const expected = await full.run(T, 'rfm', { currency: 'CNY', asOf: later });
      expect(await pre.run(T, 'rfm', { currency: 'CNY', asOf: later })).toEqual(expected);
      expect(await pre.runPage(T, 'rfm', { currency: 'CNY', asOf: later }, { limit: 7 })).toEqual({ rows: expected.slice(0, 7), rowCount: expected.length });
    }
  });

  it('is not used for an as-of before some paid orders (the full computation answers)', async () => {
    await expectSame(new Date(END - 10 * DAY).toISOString(), false);
  });
});
