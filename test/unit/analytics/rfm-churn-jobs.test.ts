import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDbAnalyticsEngine, createDuckDbConnection } from '@crm/adapters/duckdb';
import { LocalLakeWriter } from '@crm/adapters/local-lake';
import {
  RFM_SEGMENT_IDS, auditKeys, churnKeys, createCustomer, deleteCustomer, detectChurn, eventsFromChange, listCustomers, putAnalyticsSettings, recordOrder,
  rfmKeys, rfmSegmentId, scoreRfm, updateCustomer, type Clock, type DomainEvent, type Item, type LakeRow, type TableStore,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext, stores, testEncryptor } from '../../support/use-case-harness';

/**
 * The RFM write-back and the churn trigger on both stores, over a real lake (Parquet written by
 * LocalLakeWriter) read by the real DuckDB engine. Orders go to the live table through recordOrder
 * (order stats) and to the lake as the export would write them.
 */
const DAY = 86_400_000;
let root: string;
let lake: LocalLakeWriter;
let connection: DuckDBConnection;
let engine: DuckDbAnalyticsEngine;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'crm-rfm-churn-'));
  lake = new LocalLakeWriter({ root });
  connection = await createDuckDbConnection({ threads: 1 });
  engine = new DuckDbAnalyticsEngine({ connection, lakeRoot: root });
});
afterAll(async () => {
  await lake.close();
  connection.closeSync();
  rmSync(root, { recursive: true, force: true });
});

/** A clock the test moves. */
function movableClock(at: string): Clock & { set(at: string): void } {
  let now = new Date(at);
  return { now: () => now, set: (next) => { now = new Date(next); } };
}

interface Setup {
  store: TableStore;
  clock: ReturnType<typeof movableClock>;
  tenantId: string;
  deps: { store: TableStore; clock: Clock; ids: ReturnType<typeof ulidGenerator>; encryptor: typeof testEncryptor; engine: DuckDbAnalyticsEngine };
  customer(name: string): Promise<string>;
  order(customerId: string, amount: number, orderedAt: string, currency?: string): Promise<void>;
  /** Replaces the tenant's analytics settings (as an admin would with PUT /v1/settings/analytics). */
  settings(input: { currency: string; churnDays: number; rfmEnabled?: boolean; churnEnabled?: boolean }): Promise<void>;
  /** The lake rows written so far (as the export would write them). */
  rows: LakeRow[];
}

let tenants = 0;
async function setup(storeName: keyof typeof stores, at: string, shared?: { store: TableStore; clock: ReturnType<typeof movableClock> }): Promise<Setup> {
  const store = shared?.store ?? await stores[storeName]();
  const clock = shared?.clock ?? movableClock(at);
  // A tenant per test: the lake folder is shared.
  const tenantId = `t${(tenants += 1)}-${storeName}`;
  const deps = { store, clock, ids: ulidGenerator(), encryptor: testEncryptor, engine };
  const ctx = adminContext(tenantId);
  const rows: LakeRow[] = [];
  return {
    store, clock, tenantId, deps, rows,
    async customer(name) {
      return (await createCustomer(deps, ctx, { kind: 'person', name, phones: [], emails: [], tags: [], customFields: {} })).customer.id;
    },
    async order(customerId, amount, orderedAt, currency = 'CNY') {
      const recorded = await recordOrder(deps, ctx, { customerId, amount, currency, status: 'paid', orderedAt, source: 'manual' }, {});
      const id = recorded.order.id;
      const row: LakeRow = {
        tenant_id: tenantId, order_id: id, customer_id: customerId, amount, currency, status: 'paid', ordered_at: orderedAt, source: 'manual', version: 1,
      };
      rows.push(row);
      await lake.append({ table: 'orders', tenantId, dt: orderedAt.slice(0, 10) }, id, [row]);
    },
    async settings(input) {
      await putAnalyticsSettings(deps, ctx, input, '*');
    },
  };
}

const auditActions = async (store: TableStore, tenantId: string, day: string) =>
  (await store.query({ partition: auditKeys.dayPartition(tenantId, day), limit: 100 })).items.map((i) => i.action);

describe.each(['sqlite', 'dynamodb'] as const)('RFM write-back and churn trigger (%s)', (storeName) => {
  it('writes the report\'s segment and scores onto each profile without a version change, idempotently, filterable by segment', async () => {
    const s = await setup(storeName, '2026-06-01T02:00:00.000Z');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = await s.customer(`Customer ${String(i).padStart(2, '0')}`);
      ids.push(id);
      for (let n = 0; n <= i % 4; n++) await s.order(id, 50 * ((i * 7) % 5 + 1) + n, new Date(Date.parse('2026-05-31T08:00:00.000Z') - ((i * 11 + n * 3) % 90) * DAY).toISOString());
    }
    const unscored = await s.customer('No orders');

    const first = await scoreRfm(s.deps, s.tenantId);
    const report = await engine.run(s.tenantId, 'rfm', { currency: 'CNY', asOf: '2026-06-01T02:00:00.000Z' });
    expect(report).toHaveLength(12);
    expect(first).toMatchObject({ scored: 12, written: 12, unchanged: 0, skipped: 0, conflicts: 0 });
    expect(new Set(report.map((r) => r.segment)).size).toBeGreaterThan(2);

    const ctx = adminContext(s.tenantId);
    for (const row of report) {
      const profile = (await s.store.get({ pk: `T#${s.tenantId}#C#${String(row.customer_id)}`, sk: 'PROFILE' }))!;
      expect(profile.version).toBe(1);
      expect(profile.rfm).toEqual({
        segment: rfmSegmentId(String(row.segment)), r: row.r_score, f: row.f_score, m: row.m_score,
        recencyDays: row.recency_days, frequency: row.frequency, monetary: Number(row.monetary), currency: 'CNY', scoredAt: '2026-06-01T02:00:00.000Z',
      });
    }
    expect((await s.store.get({ pk: `T#${s.tenantId}#C#${unscored}`, sk: 'PROFILE' }))!.rfm).toBeUndefined();

    const members = async (segment: (typeof RFM_SEGMENT_IDS)[number]) => {
      const out: string[] = [];
      let after: string | undefined;
      do {
        const page = await listCustomers(s.deps, ctx, { limit: 2, rfmSegment: segment, ...(after ? { after } : {}), pool: false, deleted: false });
        out.push(...page.items.map((c) => c.id));
        for (const c of page.items) expect(c.rfm?.segment).toBe(segment);
        after = page.next ?? undefined;
      } while (after);
      return out.sort();
    };
    for (const segment of RFM_SEGMENT_IDS) {
      expect(await members(segment), segment).toEqual(report.filter((r) => rfmSegmentId(String(r.segment)) === segment).map((r) => String(r.customer_id)).sort());
    }

    // Same day again: nothing to write. One audit entry per run.
    expect(await scoreRfm(s.deps, s.tenantId)).toMatchObject({ scored: 12, written: 0, unchanged: 12 });
    expect((await auditActions(s.store, s.tenantId, '2026-06-01')).filter((a) => a === 'analytics:score-rfm')).toHaveLength(2);

    // A user edit keeps the scores; a deleted customer leaves the segment list.
    const [edited, deleted] = [String(report[0]!.customer_id), String(report[1]!.customer_id)];
    const editedSegment = rfmSegmentId(String(report[0]!.segment));
    const updated = await updateCustomer(s.deps, ctx, edited, { name: 'Renamed' }, '"1"');
    expect(updated.customer.rfm?.segment).toBe(editedSegment);
    expect(await members(editedSegment)).toContain(edited);
    await deleteCustomer(s.deps, ctx, deleted);
    expect(await members(rfmSegmentId(String(report[1]!.segment)))).not.toContain(deleted);

    // Next day: recency moved, so every live profile is rewritten; the deleted one is skipped.
    s.clock.set('2026-06-02T02:00:00.000Z');
    expect(await scoreRfm(s.deps, s.tenantId)).toMatchObject({ scored: 12, written: 11, skipped: 1, cleared: 0 });

    // Every order of a scored customer refunded (new order versions in the lake): the scores go.
    const refunded = String(report[2]!.customer_id);
    const refundedSegment = rfmSegmentId(String(report[2]!.segment));
    for (const row of s.rows.filter((r) => r.customer_id === refunded)) {
      await lake.append({ table: 'orders', tenantId: s.tenantId, dt: String(row.ordered_at).slice(0, 10) }, `${String(row.order_id)}-v2`, [{ ...row, status: 'refunded', version: 2 }]);
    }
    s.clock.set('2026-06-03T02:00:00.000Z');
    expect(await scoreRfm(s.deps, s.tenantId)).toMatchObject({ scored: 11, cleared: 1 });
    expect((await s.store.get({ pk: `T#${s.tenantId}#C#${refunded}`, sk: 'PROFILE' }))!.rfm).toBeUndefined();
    expect(await members(refundedSegment)).not.toContain(refunded);
  });

  it('churn: one customer.churn-risk per episode across runs, re-armed by a purchase, again after the next lapse', async () => {
    const s = await setup(storeName, '2026-03-01T02:00:00.000Z');
    const big = await s.customer('Big Spender');
    await s.order(big, 1000, '2026-01-10T08:00:00.000Z');
    await s.order(big, 1000, '2026-01-10T09:00:00.000Z');
    const small: string[] = [];
    for (const name of ['Small A', 'Small B', 'Small C']) {
      const id = await s.customer(name);
      small.push(id);
      await s.order(id, 50, '2026-02-25T08:00:00.000Z');
    }

    const events: DomainEvent[] = [];
    const run = async (at: string) => {
      s.clock.set(at);
      const key = churnKeys.episode(s.tenantId, big);
      const before = await s.store.get(key, { consistent: true });
      const result = await detectChurn(s.deps, s.tenantId);
      const after = await s.store.get(key, { consistent: true });
      // The change feed's record of the episode item, as the stream would deliver it.
      if (after && JSON.stringify(after) !== JSON.stringify(before)) {
        events.push(...eventsFromChange({ eventId: `${at}`, eventName: before ? 'MODIFY' : 'INSERT', approximateCreationTime: Date.parse(at), oldImage: before as Item, newImage: after }));
      }
      return result;
    };

    expect(await run('2026-03-01T02:00:00.000Z')).toMatchObject({ atRisk: 1, opened: 1, suppressed: 0, rearmed: 0 });
    expect(await run('2026-03-02T02:00:00.000Z')).toMatchObject({ atRisk: 1, opened: 0, suppressed: 1, rearmed: 0 });
    expect(events.map((e) => [e.type, e.subject, e.data.episode, e.data.recencyDays])).toEqual([['customer.churn-risk', { type: 'customer', id: big }, 1, 50]]);
    expect(events[0]!.data).toMatchObject({ days: 30, currency: 'CNY', monetary: 2000, frequency: 2, lastOrderAt: '2026-01-10T09:00:00.000Z' });

    // A purchase re-arms the trigger; no event for the closing.
    await s.order(big, 500, '2026-03-05T08:00:00.000Z');
    expect(await run('2026-03-06T02:00:00.000Z')).toMatchObject({ atRisk: 0, opened: 0, rearmed: 1 });
    expect((await s.store.get(churnKeys.episode(s.tenantId, big)))).toMatchObject({ status: 'closed', closedBy: 'purchase', episode: 1 });
    expect(await run('2026-03-20T02:00:00.000Z')).toMatchObject({ atRisk: 0, opened: 0, rearmed: 0 });
    expect(events).toHaveLength(1);

    // The next lapse opens episode 2, once.
    expect(await run('2026-04-20T02:00:00.000Z')).toMatchObject({ atRisk: 1, opened: 1 });
    expect(await run('2026-04-21T02:00:00.000Z')).toMatchObject({ atRisk: 1, opened: 0, suppressed: 1 });
    expect(events.map((e) => [e.type, e.data.episode, e.data.lastOrderAt])).toEqual([
      ['customer.churn-risk', 1, '2026-01-10T09:00:00.000Z'], ['customer.churn-risk', 2, '2026-03-05T08:00:00.000Z'],
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
    expect((await auditActions(s.store, s.tenantId, '2026-04-21')).filter((a) => a === 'analytics:detect-churn')).toHaveLength(1);
  });

  it('scores each tenant in its own analytics currency; a currency change replaces or clears the old currency\'s scores; switched off, scores go', async () => {
    const a = await setup(storeName, '2026-06-01T02:00:00.000Z');
    const b = await setup(storeName, '2026-06-01T02:00:00.000Z', { store: a.store, clock: a.clock });
    await a.settings({ currency: 'USD', churnDays: 30 });
    const ids: Record<string, Record<'cny' | 'usd' | 'both', string>> = {};
    for (const s of [a, b]) {
      const cny = await s.customer('Pays in CNY');
      const usd = await s.customer('Pays in USD');
      const both = await s.customer('Pays in both');
      await s.order(cny, 100, '2026-05-20T08:00:00.000Z');
      await s.order(usd, 30, '2026-05-21T08:00:00.000Z', 'USD');
      await s.order(both, 500, '2026-05-10T08:00:00.000Z');
      await s.order(both, 70, '2026-05-22T08:00:00.000Z', 'USD');
      ids[s.tenantId] = { cny, usd, both };
    }
    const rfmOf = async (s: Setup, id: string) => (await a.store.get({ pk: `T#${s.tenantId}#C#${id}`, sk: 'PROFILE' }, { consistent: true }))!.rfm as { currency: string; monetary: number; segment: string } | undefined;
    const memberships = async (s: Setup) => {
      const out: string[] = [];
      for (const segment of RFM_SEGMENT_IDS) out.push(...(await a.store.query({ partition: rfmKeys.segmentPartition(s.tenantId, segment), limit: 100 })).items.map((i) => String(i.customerId)));
      return out.sort();
    };

    expect(await scoreRfm(a.deps, a.tenantId)).toMatchObject({ currency: 'USD', enabled: true, scored: 2, written: 2, cleared: 0 });
    expect(await scoreRfm(b.deps, b.tenantId)).toMatchObject({ currency: 'CNY', enabled: true, scored: 2, written: 2, cleared: 0 });
    const [ia, ib] = [ids[a.tenantId]!, ids[b.tenantId]!];
    expect([await rfmOf(a, ia.cny), await rfmOf(a, ia.usd), await rfmOf(a, ia.both)]).toEqual([undefined, expect.objectContaining({ currency: 'USD', monetary: 30 }), expect.objectContaining({ currency: 'USD', monetary: 70 })]);
    expect([await rfmOf(b, ib.cny), await rfmOf(b, ib.usd), await rfmOf(b, ib.both)]).toEqual([expect.objectContaining({ currency: 'CNY', monetary: 100 }), undefined, expect.objectContaining({ currency: 'CNY', monetary: 500 })]);
    expect(await memberships(a)).toEqual([ia.usd, ia.both].sort());

    // Tenant A switches to CNY: the USD-only customer loses its USD scores (no stale segment), the others are re-scored in CNY.
    await a.settings({ currency: 'CNY', churnDays: 30 });
    a.clock.set('2026-06-02T02:00:00.000Z');
    expect(await scoreRfm(a.deps, a.tenantId)).toMatchObject({ currency: 'CNY', scored: 2, written: 2, cleared: 1 });
    expect([await rfmOf(a, ia.cny), await rfmOf(a, ia.usd), await rfmOf(a, ia.both)]).toEqual([expect.objectContaining({ currency: 'CNY', monetary: 100 }), undefined, expect.objectContaining({ currency: 'CNY', monetary: 500 })]);
    expect(await memberships(a)).toEqual([ia.cny, ia.both].sort());
    // The cleared profile keeps its version and says when it was cleared (the change feed orders it after the last score).
    expect(await a.store.get({ pk: `T#${a.tenantId}#C#${ia.usd}`, sk: 'PROFILE' })).toMatchObject({ version: 1, rfmClearedAt: '2026-06-02T02:00:00.000Z' });
    // Tenant B is untouched by A's settings.
    expect(await rfmOf(b, ib.cny)).toMatchObject({ currency: 'CNY', scoredAt: '2026-06-01T02:00:00.000Z' });

    // RFM switched off: the run reads no report and clears every score.
    await a.settings({ currency: 'CNY', churnDays: 30, rfmEnabled: false });
    expect(await scoreRfm(a.deps, a.tenantId)).toMatchObject({ enabled: false, scored: 0, written: 0, cleared: 2 });
    expect(await memberships(a)).toEqual([]);
    expect(await rfmOf(a, ia.both)).toBeUndefined();
  });

  it('churn: each tenant\'s churnDays decides who is at risk; switched off, no episode opens', async () => {
    const a = await setup(storeName, '2026-03-01T02:00:00.000Z');
    const b = await setup(storeName, '2026-03-01T02:00:00.000Z', { store: a.store, clock: a.clock });
    await a.settings({ currency: 'CNY', churnDays: 7 });
    const big: Record<string, string> = {};
    for (const s of [a, b]) {
      big[s.tenantId] = await s.customer('Big Spender');
      await s.order(big[s.tenantId]!, 1000, '2026-02-19T08:00:00.000Z');
      for (const name of ['Small A', 'Small B']) await s.order(await s.customer(name), 50, '2026-02-28T08:00:00.000Z');
    }
    // 10 days without a purchase: at risk under 7 days (A), not under the default 30 (B).
    expect(await detectChurn(a.deps, a.tenantId)).toMatchObject({ days: 7, currency: 'CNY', enabled: true, atRisk: 1, opened: 1 });
    expect(await detectChurn(b.deps, b.tenantId)).toMatchObject({ days: 30, atRisk: 0, opened: 0 });
    expect(await a.store.get(churnKeys.episode(a.tenantId, big[a.tenantId]!))).toMatchObject({ status: 'open', days: 7, recencyDays: 10 });
    expect(await a.store.get(churnKeys.episode(b.tenantId, big[b.tenantId]!))).toBeUndefined();

    await b.settings({ currency: 'CNY', churnDays: 7, churnEnabled: false });
    expect(await detectChurn(b.deps, b.tenantId)).toMatchObject({ days: 7, enabled: false, atRisk: 0, opened: 0 });
    expect(await a.store.get(churnKeys.episode(b.tenantId, big[b.tenantId]!))).toBeUndefined();
    await b.settings({ currency: 'CNY', churnDays: 7, churnEnabled: true });
    expect(await detectChurn(b.deps, b.tenantId)).toMatchObject({ enabled: true, atRisk: 1, opened: 1 });
  });

  it('churn: a purchase already in the live stats but not yet in the lake opens no episode', async () => {
    const s = await setup(storeName, '2026-03-01T02:00:00.000Z');
    const big = await s.customer('Big Spender');
    await s.order(big, 1000, '2026-01-10T08:00:00.000Z');
    for (const name of ['Small A', 'Small B']) await s.order(await s.customer(name), 50, '2026-02-25T08:00:00.000Z');
    // Recorded in the table only (the lake export has not run yet).
    await recordOrder(s.deps, adminContext(s.tenantId), { customerId: big, amount: 10, currency: 'CNY', status: 'paid', orderedAt: '2026-02-28T08:00:00.000Z', source: 'manual' }, {});
    expect(await detectChurn(s.deps, s.tenantId)).toMatchObject({ atRisk: 1, opened: 0, skipped: 1 });
    expect(await s.store.get(churnKeys.episode(s.tenantId, big))).toBeUndefined();
  });
});
