import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDbAnalyticsEngine, createDuckDbConnection } from '@crm/adapters/duckdb';
import { LocalLakeWriter } from '@crm/adapters/local-lake';
import {
  analyticsQueryKeys, auditKeys, createAnalyticsQuery, CreateAnalyticsQueryInput, getAnalyticsQuery, MAX_QUERY_ROWS, MAX_QUERY_ROWS_BYTES, QUERY_STALE_RUNNING_MS,
  RFM_SEGMENT_NAMES, runAnalyticsQuery, type AnalyticsEngine, type AnalyticsRow, type LakeRow, type TableStore,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext as ctx, errorCode, fixedClock, stores } from '../support/use-case-harness';

/**
 * Analytics query use cases on both stores, with the real DuckDB engine over a small lake written
 * by the local lake writer (the same files the export consumer writes).
 */
let dir: string;
let connection: DuckDBConnection;
let engine: DuckDbAnalyticsEngine;

const order = (id: string, customer: string, amount: number, orderedAt: string, version = 1, status = 'paid'): LakeRow => ({
  tenant_id: 'acme', order_id: id, customer_id: customer, amount, currency: 'CNY', status, ordered_at: orderedAt, source: 'pos', version,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crm-queries-'));
  const lake = new LocalLakeWriter({ root: join(dir, 'lake') });
  await lake.append({ table: 'orders', tenantId: 'acme', dt: '2026-10-01' }, '1', [order('o1', 'c1', 100, '2026-10-01T10:00:00.000Z'), order('o2', 'c2', 20, '2026-10-01T11:00:00.000Z')]);
  await lake.append({ table: 'orders', tenantId: 'acme', dt: '2026-11-20' }, '2', [order('o3', 'c1', 300, '2026-11-20T09:00:00.000Z'), order('o2', 'c2', 20, '2026-10-01T11:00:00.000Z', 2, 'cancelled')]);
  await lake.append({ table: 'orders', tenantId: 'other', dt: '2026-11-20' }, '3', [{ ...order('x1', 'cx', 999, '2026-11-20T09:00:00.000Z'), tenant_id: 'other' }]);
  await lake.close();
  connection = await createDuckDbConnection({ threads: 1 });
  engine = new DuckDbAnalyticsEngine({ connection, lakeRoot: join(dir, 'lake') });
});
afterAll(() => {
  connection?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const rfm = CreateAnalyticsQueryInput.parse({ report: 'rfm', params: { currency: 'CNY', asOf: '2026-11-25T00:00:00Z' } });

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('analytics queries on %s', (adapter) => {
  let store: TableStore;
  let deps: { store: TableStore; clock: typeof fixedClock; ids: ReturnType<typeof ulidGenerator> };
  beforeEach(async () => {
    store = await stores[adapter]();
    deps = { store, clock: fixedClock, ids: ulidGenerator() };
  });
  const item = (id: string) => store.get(analyticsQueryKeys.query('acme', id), { consistent: true });
  const imageOf = async (id: string) => (await item(id))!;

  it('queues a query (audited), runs it on DuckDB over the lake and answers the rows', async () => {
    const accepted = await createAnalyticsQuery(deps, ctx(), rfm);
    expect(accepted).toEqual({ id: expect.any(String), status: 'queued' });
    expect(await getAnalyticsQuery(deps, ctx(), accepted.id)).toEqual({
      id: accepted.id, report: 'rfm', params: { currency: 'CNY', asOf: '2026-11-25T00:00:00Z' }, status: 'queued', createdAt: '2026-11-25T10:00:00.000Z', createdBy: 'alice',
    });

    expect(await runAnalyticsQuery({ store, clock: fixedClock, engine }, await imageOf(accepted.id))).toBe('succeeded');
    const done = await getAnalyticsQuery(deps, ctx(), accepted.id);
    expect(done).toMatchObject({ status: 'succeeded', rowCount: 1, startedAt: '2026-11-25T10:00:00.000Z', finishedAt: '2026-11-25T10:00:00.000Z' });
    expect(done.truncated).toBeUndefined();
    // The cancelled version of o2 wins, so only c1 is a paying customer; the other tenant's lake is not read.
    expect(done.rows).toEqual([expect.objectContaining({ customer_id: 'c1', frequency: 2, monetary: '400.00', last_order_at: '2026-11-20T09:00:00.000Z', recency_days: 5 })]);
    expect(RFM_SEGMENT_NAMES).toContain(done.rows![0]!.segment);

    const audit = (await store.query({ partition: auditKeys.dayPartition('acme', '2026-11-25'), limit: 100 })).items.filter((a) => a.resourceId === accepted.id);
    expect(audit.map((a) => a.action).sort()).toEqual(['analytics:create', 'analytics:read']);
  });

  it('runs a query once: a redelivered record and the runner\'s own writes are skipped', async () => {
    const { id } = await createAnalyticsQuery(deps, ctx(), rfm);
    const queued = await imageOf(id);
    expect(await runAnalyticsQuery({ store, clock: fixedClock, engine }, queued)).toBe('succeeded');
    const after = await imageOf(id);
    expect(await runAnalyticsQuery({ store, clock: fixedClock, engine }, queued)).toBe('skipped');
    expect(await runAnalyticsQuery({ store, clock: fixedClock, engine }, after)).toBe('skipped');
    expect(await imageOf(id)).toEqual(after);
    expect(after.version).toBe(3);
  });

  it('claims a query left running by a runner that died, once it is stale', async () => {
    const { id } = await createAnalyticsQuery(deps, ctx(), rfm);
    const queued = await imageOf(id);
    await store.put({ ...queued, status: 'running', startedAt: '2026-11-25T09:55:00.000Z', version: 2 });
    expect(await runAnalyticsQuery({ store, clock: fixedClock, engine }, queued)).toBe('skipped');
    await store.put({ ...queued, status: 'running', startedAt: new Date(fixedClock.now().getTime() - QUERY_STALE_RUNNING_MS - 1).toISOString(), version: 2 });
    expect(await runAnalyticsQuery({ store, clock: fixedClock, engine }, queued)).toBe('succeeded');
    expect(await imageOf(id)).toMatchObject({ status: 'succeeded', version: 4 });
  });

  it('ends a query failed with the report error', async () => {
    const fail = async (): Promise<never> => { throw new Error('Athena query q-1 FAILED: TABLE_NOT_FOUND'); };
    const failing: AnalyticsEngine = { run: fail, runPage: fail };
    const { id } = await createAnalyticsQuery(deps, ctx(), rfm);
    expect(await runAnalyticsQuery({ store, clock: fixedClock, engine: failing }, await imageOf(id))).toBe('failed');
    expect(await getAnalyticsQuery(deps, ctx(), id)).toMatchObject({ status: 'failed', error: 'Athena query q-1 FAILED: TABLE_NOT_FOUND', finishedAt: '2026-11-25T10:00:00.000Z' });
  });

  it('keeps at most MAX_QUERY_ROWS rows, and only as many as fit the item, and says the result was truncated', async () => {
    const many = engineOf(Array.from({ length: MAX_QUERY_ROWS + 500 }, (_, i) => ({ n: i })));
    const { id } = await createAnalyticsQuery(deps, ctx(), rfm);
    expect(await runAnalyticsQuery({ store, clock: fixedClock, engine: many }, await imageOf(id))).toBe('succeeded');
    const done = await getAnalyticsQuery(deps, ctx(), id);
    expect(done).toMatchObject({ status: 'succeeded', rowCount: MAX_QUERY_ROWS + 500, truncated: true });
    expect(done.rows).toHaveLength(MAX_QUERY_ROWS);
    expect(done.rows![MAX_QUERY_ROWS - 1]).toEqual({ n: MAX_QUERY_ROWS - 1 });

    const wide = engineOf(Array.from({ length: 1_000 }, (_, i) => ({ customer_id: `c${i}`, note: 'x'.repeat(1_000) })));
    const second = await createAnalyticsQuery(deps, ctx(), rfm);
    expect(await runAnalyticsQuery({ store, clock: fixedClock, engine: wide }, await imageOf(second.id))).toBe('succeeded');
    const cut = await getAnalyticsQuery(deps, ctx(), second.id);
    expect(cut).toMatchObject({ rowCount: 1_000, truncated: true });
    expect(JSON.stringify(cut.rows).length).toBeLessThanOrEqual(MAX_QUERY_ROWS_BYTES);
    expect(cut.rows!.length).toBeGreaterThan(200);
  });

  it("answers 404 for another tenant's query and for an unknown id", async () => {
    const { id } = await createAnalyticsQuery(deps, ctx(), rfm);
    expect(await errorCode(getAnalyticsQuery(deps, ctx('globex'), id))).toBe('not_found');
    expect(await errorCode(getAnalyticsQuery(deps, ctx(), '01JZZZZZZZZZZZZZZZZZZZZZZZ'))).toBe('not_found');
  });
});

/** A stand-in engine with a fixed result (the runner's capping is under test, not the engine). */
function engineOf(rows: AnalyticsRow[]): AnalyticsEngine {
  return { run: async () => rows, runPage: async (_t, _r, _p, { limit }) => ({ rows: rows.slice(0, limit), rowCount: rows.length }) };
}

describe('analytics query input and keys (offline)', () => {
  it('validates params with the report schema (paths under params) and keys the query under its tenant', () => {
    const bad = CreateAnalyticsQueryInput.safeParse({ report: 'funnel', params: { pipelineId: 'p', from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['params.to']);
    expect(CreateAnalyticsQueryInput.safeParse({ report: 'rfm', params: { currency: 'cny', asOf: 'x' } }).error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['params.asOf', 'params.currency']);
    expect(CreateAnalyticsQueryInput.safeParse({ report: 'nps', params: {} }).success).toBe(false);
    expect(CreateAnalyticsQueryInput.parse({ report: 'churn-risk', params: { currency: 'CNY', asOf: '2026-11-25T00:00:00Z' } }).params).toEqual({ currency: 'CNY', asOf: '2026-11-25T00:00:00Z', days: 30 });
    expect(analyticsQueryKeys.query('acme', '01J')).toEqual({ pk: 'T#acme#AQUERY#01J', sk: 'AQUERY' });
  });
});
