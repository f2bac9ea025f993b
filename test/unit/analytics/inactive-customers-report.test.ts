import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDbAnalyticsEngine, createDuckDbConnection } from '@crm/adapters/duckdb';
import { LocalLakeWriter } from '@crm/adapters/local-lake';
import { checkPortableSql, reportSqlTemplate, type AnalyticsRow, type LakeRow, type LakeTable } from '@crm/core';
import { prng } from '../../support/analytics/synthetic-lake';

/**
 * The `inactive-customers` report (customer stubs, ADR 0034) on DuckDB over a synthetic lake written
 * by the real lake writer, against an independent computation in plain TypeScript over the same rows.
 */
const DAY = 86_400_000;
const AS_OF = '2026-06-01T00:00:00.000Z';
const AS_OF_MS = Date.parse(AS_OF);
const A = 'tenant-a';
const B = 'tenant-b';

interface Snapshot { tenant_id: string; customer_id: string; version: number; updated_at: string; deleted: boolean }
interface Activity { tenant_id: string; customer_id: string; at: string }

let dir: string;
let connection: DuckDBConnection;
let engines: Array<[string, DuckDbAnalyticsEngine]>;
const snapshots: Snapshot[] = [];
const interactions: Activity[] = [];
const orders: Activity[] = [];

const iso = (ms: number) => new Date(ms).toISOString();

/** Customers over five years: several versions (some deleted or archived last), interactions and orders. */
function generate(tenant: string, customers: number, seed: number): void {
  const rnd = prng(seed);
  for (let c = 0; c < customers; c++) {
    const id = `${tenant}-c${String(c).padStart(4, '0')}`;
    const created = AS_OF_MS - Math.floor(rnd() * 5 * 365 * DAY);
    const versions = 1 + Math.floor(rnd() * 3);
    let at = created;
    for (let v = 1; v <= versions; v++) {
      // Some versions after as_of (ignored by the report), some deleted/merged/archived (`deleted`).
      at += Math.floor(rnd() * 400 * DAY);
      const last = v === versions;
      snapshots.push({ tenant_id: tenant, customer_id: id, version: v, updated_at: iso(at), deleted: last && rnd() < 0.15 });
    }
    for (let k = Math.floor(rnd() * 4); k > 0; k--) interactions.push({ tenant_id: tenant, customer_id: id, at: iso(created + Math.floor(rnd() * 6 * 365 * DAY)) });
    for (let k = Math.floor(rnd() * 3); k > 0; k--) orders.push({ tenant_id: tenant, customer_id: id, at: iso(created + Math.floor(rnd() * 6 * 365 * DAY)) });
  }
  // Activity of a customer the lake holds no snapshot of (never written since the export began).
  interactions.push({ tenant_id: tenant, customer_id: `${tenant}-unknown`, at: iso(AS_OF_MS - 2000 * DAY) });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crm-inactive-'));
  generate(A, 300, 11);
  generate(B, 80, 12);
  const lake = new LocalLakeWriter({ root: join(dir, 'lake') });
  const write = async (table: LakeTable, tenant: string, rows: LakeRow[]) => {
    if (rows.length > 0) await lake.append({ table, tenantId: tenant, dt: '2026-01-01' }, `${table}-1`, rows);
  };
  for (const tenant of [A, B]) {
    await write('customer_snapshots', tenant, snapshots.filter((s) => s.tenant_id === tenant).map((s) => ({
      tenant_id: s.tenant_id, customer_id: s.customer_id, kind: 'person', owner_id: null, org_path: '/', tags: [],
      created_at: s.updated_at, updated_at: s.updated_at, version: s.version, deleted: s.deleted,
    })));
    await write('interactions', tenant, interactions.filter((i) => i.tenant_id === tenant).map((i, n) => ({
      tenant_id: i.tenant_id, interaction_id: `i${n}`, customer_id: i.customer_id, channel: 'sms', type: 'message', occurred_at: i.at,
    })));
    await write('orders', tenant, orders.filter((o) => o.tenant_id === tenant).map((o, n) => ({
      tenant_id: o.tenant_id, order_id: `o${n}`, customer_id: o.customer_id, amount: 10, currency: 'CNY', status: n % 3 === 0 ? 'refunded' : 'paid',
      ordered_at: o.at, source: 'api', version: 1,
    })));
  }
  // A stray row with tenant B's id in A's folder: the tenant_id filter keeps it out.
  await lake.append({ table: 'customer_snapshots', tenantId: A, dt: '2026-01-02' }, 'stray', [{
    tenant_id: B, customer_id: `${B}-stray`, kind: 'person', owner_id: null, org_path: '/', tags: [],
    created_at: iso(AS_OF_MS - 3000 * DAY), updated_at: iso(AS_OF_MS - 3000 * DAY), version: 1, deleted: false,
  }]);
  await lake.close();
  connection = await createDuckDbConnection({ threads: 1 });
  engines = [
    ['read in place', new DuckDbAnalyticsEngine({ connection, lakeRoot: join(dir, 'lake') })],
    ['pre-aggregated mirrors', new DuckDbAnalyticsEngine({ connection, lakeRoot: join(dir, 'lake'), preAggregate: true })],
  ];
});

afterAll(() => {
  connection?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

/** The expected rows, computed from the generated rows without SQL. */
function expected(tenant: string, days: number): AnalyticsRow[] {
  const cutoff = AS_OF_MS - days * DAY;
  const latest = new Map<string, Snapshot>();
  for (const s of snapshots) {
    if (s.tenant_id !== tenant || Date.parse(s.updated_at) >= AS_OF_MS) continue;
    const prev = latest.get(s.customer_id);
    if (!prev || s.version > prev.version) latest.set(s.customer_id, s);
  }
  const last = new Map<string, number>();
  for (const s of latest.values()) if (!s.deleted) last.set(s.customer_id, Date.parse(s.updated_at));
  for (const a of [...interactions, ...orders]) {
    const at = Date.parse(a.at);
    if (a.tenant_id !== tenant || at >= AS_OF_MS || !last.has(a.customer_id)) continue;
    last.set(a.customer_id, Math.max(last.get(a.customer_id)!, at));
  }
  return [...last.entries()]
    .filter(([, at]) => at < cutoff)
    .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0))
    .map(([customer_id, at]) => ({ customer_id, last_activity_at: iso(at) }));
}

describe('inactive customers on DuckDB', () => {
  it('is portable SQL', () => {
    expect(checkPortableSql(reportSqlTemplate('inactive-customers'))).toEqual([]);
  });

  it.each([365, 1095])('equals the independent computation (%i days), read in place and pre-aggregated', async (days) => {
    const want = expected(A, days);
    expect(want.length).toBeGreaterThan(10);
    expect(want.length).toBeLessThan(snapshots.filter((s) => s.tenant_id === A && s.version === 1).length);
    for (const [mode, engine] of engines) {
      expect(await engine.run(A, 'inactive-customers', { asOf: AS_OF, days }), mode).toEqual(want);
    }
  });

  it('keeps tenants apart and lists no customer it holds no snapshot of, nor one whose latest snapshot is deleted', async () => {
    const [, engine] = engines[0]!;
    const a = await engine.run(A, 'inactive-customers', { asOf: AS_OF, days: 365 });
    expect(a.every((r) => String(r.customer_id).startsWith(`${A}-c`))).toBe(true);
    const deletedLast = new Set(snapshots.filter((s) => s.tenant_id === A && s.deleted).map((s) => s.customer_id));
    expect(deletedLast.size).toBeGreaterThan(5);
    expect(a.filter((r) => deletedLast.has(String(r.customer_id)))).toEqual([]);
    expect(await engine.run(B, 'inactive-customers', { asOf: AS_OF, days: 365 })).toEqual(expected(B, 365));
    expect(await engine.run('tenant-none', 'inactive-customers', { asOf: AS_OF, days: 365 })).toEqual([]);
  });

  it('rejects bad params before any SQL runs', async () => {
    const [, engine] = engines[0]!;
    await expect(engine.run(A, 'inactive-customers', { asOf: AS_OF, days: 0 })).rejects.toThrow();
    await expect(engine.run(A, 'inactive-customers', { asOf: 'yesterday', days: 30 })).rejects.toThrow();
  });
});
