import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { createFixtureCompanyRegistry } from '@crm/adapters/company-registry';
import {
  createCompanyEnrichment, enrichmentKeys, type Clock, type CompanyEnrichmentOptions, type CompanyQuery, type CompanyRecord,
  type CompanyRegistry, type EnrichmentOutcome, type TableStore,
} from '@crm/core';
import type Database from 'better-sqlite3';
import fixture from '../../../packages/adapters/src/company-registry/fixtures/company-registry.json';

// Real SQLite store (cache and budget items, TTL hiding) and a clock the test moves.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let nowMs: number;
const clock: Clock = { now: () => new Date(nowMs) };
let db: Database.Database;
let store: SqliteTableStore;

const known = fixture.companies[0]!;
const other = fixture.companies[1]!;
const third = fixture.companies[2]!;
const UNKNOWN_CODE = '91350100M000100Y43'; // valid, but not in the fixture

/** A registry the test scripts, recording every call it receives. */
function recordingRegistry(answer: (query: CompanyQuery, signal?: AbortSignal) => Promise<CompanyRecord | undefined>): CompanyRegistry & { calls: CompanyQuery[] } {
  const calls: CompanyQuery[] = [];
  return { calls, lookup: (query, options) => (calls.push(query), answer(query, options?.signal)) };
}
const fixtureRegistry = () => {
  const real = createFixtureCompanyRegistry();
  return recordingRegistry((q) => real.lookup(q));
};
const failing = () => recordingRegistry(async () => {
  throw new Error('registry returned 503');
});

const FAST: CompanyEnrichmentOptions = { retries: 0, retryInitialDelayMs: 1, retryMaxDelayMs: 2 };
const budgetUsed = async (tenantId = 'acme') => ((await store.get(enrichmentKeys.budget(tenantId, clock.now().toISOString().slice(0, 10))))?.count as number | undefined) ?? 0;

beforeEach(() => {
  nowMs = Date.parse('2026-11-25T08:00:00.000Z');
  db = openSqliteDatabase(':memory:');
  store = new SqliteTableStore({ db, clock });
});
afterEach(() => {
  vi.useRealTimers();
  db.close();
});

describe('company enrichment: cache', () => {
  it('calls the registry on a miss and answers from the cache afterwards, for code and name', async () => {
    const registry = fixtureRegistry();
    const enrichment = createCompanyEnrichment({ store, clock, registry }, FAST);

    const first = await enrichment.enrich('acme', { creditCode: known.creditCode });
    expect(first).toEqual({ status: 'enriched', record: expect.objectContaining({ name: known.name, source: 'fixture' }) });
    const second = await enrichment.enrich('acme', { creditCode: known.creditCode.toLowerCase() });
    expect(second).toMatchObject({ status: 'cached', record: { creditCode: known.creditCode }, cachedAt: '2026-11-25T08:00:00.000Z' });
    expect(registry.calls).toEqual([{ creditCode: known.creditCode }]);

    // Found by name: cached under the name and under its credit code.
    expect((await enrichment.enrich('acme', { name: other.name })).status).toBe('enriched');
    expect((await enrichment.enrich('acme', { name: `  ${other.name}` })).status).toBe('cached');
    expect((await enrichment.enrich('acme', { creditCode: other.creditCode })).status).toBe('cached');
    expect(registry.calls).toHaveLength(2);
    expect(await budgetUsed()).toBe(2); // cache hits are free
  });

  it('keeps the cache per tenant and lets found records expire after the cache TTL', async () => {
    const registry = fixtureRegistry();
    const enrichment = createCompanyEnrichment({ store, clock, registry }, { ...FAST, cacheTtlDays: 30 });
    await enrichment.enrich('acme', { creditCode: known.creditCode });
    expect((await enrichment.enrich('globex', { creditCode: known.creditCode })).status).toBe('enriched');
    nowMs += 29 * DAY;
    expect((await enrichment.enrich('acme', { creditCode: known.creditCode })).status).toBe('cached');
    nowMs += 2 * DAY;
    expect((await enrichment.enrich('acme', { creditCode: known.creditCode })).status).toBe('enriched');
    expect(registry.calls).toHaveLength(3);
  });

  it('caches "not found" for a shorter time', async () => {
    const registry = fixtureRegistry();
    const enrichment = createCompanyEnrichment({ store, clock, registry }, { ...FAST, negativeCacheTtlHours: 24 });
    expect(await enrichment.enrich('acme', { creditCode: UNKNOWN_CODE })).toEqual({ status: 'not_found' });
    nowMs += 23 * HOUR;
    expect(await enrichment.enrich('acme', { creditCode: UNKNOWN_CODE })).toEqual({ status: 'not_found', cachedAt: '2026-11-25T08:00:00.000Z' });
    expect(registry.calls).toHaveLength(1);
    nowMs += 2 * HOUR;
    expect(await enrichment.enrich('acme', { creditCode: UNKNOWN_CODE })).toEqual({ status: 'not_found' });
    expect(registry.calls).toHaveLength(2);
  });

  it('ignores an invalid credit code (falls back to the name) and never calls for an empty query', async () => {
    const registry = fixtureRegistry();
    const enrichment = createCompanyEnrichment({ store, clock, registry }, FAST);
    expect(await enrichment.enrich('acme', { creditCode: '91350100M000100Y42' })).toEqual({ status: 'not_found', reason: 'no_usable_query' });
    expect(await enrichment.enrich('acme', { name: '   ' })).toEqual({ status: 'not_found', reason: 'no_usable_query' });
    expect(registry.calls).toEqual([]);
    expect((await enrichment.enrich('acme', { creditCode: 'not-a-code', name: third.name })).status).toBe('enriched');
    expect(registry.calls).toEqual([{ name: third.name }]);
  });
});

describe('company enrichment: per-tenant daily budget', () => {
  it('skips the registry once the budget is used up, per tenant, until the next UTC day', async () => {
    const registry = fixtureRegistry();
    const enrichment = createCompanyEnrichment({ store, clock, registry }, { ...FAST, dailyBudget: (t) => (t === 'acme' ? 2 : 10) });
    expect((await enrichment.enrich('acme', { creditCode: known.creditCode })).status).toBe('enriched');
    expect((await enrichment.enrich('acme', { creditCode: UNKNOWN_CODE })).status).toBe('not_found');
    expect(await enrichment.enrich('acme', { creditCode: other.creditCode })).toEqual({ status: 'budget_exhausted', budget: 2 });
    expect(registry.calls).toHaveLength(2);
    // Cached answers still work, and another tenant has its own budget.
    expect((await enrichment.enrich('acme', { creditCode: known.creditCode })).status).toBe('cached');
    expect((await enrichment.enrich('globex', { creditCode: other.creditCode })).status).toBe('enriched');

    nowMs += 16 * HOUR; // next UTC day
    expect((await enrichment.enrich('acme', { creditCode: other.creditCode })).status).toBe('enriched');
  });

  it('counts concurrent calls exactly (conditional counter)', async () => {
    const registry = fixtureRegistry();
    const enrichment = createCompanyEnrichment({ store, clock, registry }, { ...FAST, dailyBudget: 3 });
    const outcomes = await Promise.all(fixture.companies.slice(0, 6).map((c) => enrichment.enrich('acme', { creditCode: c.creditCode })));
    expect(outcomes.filter((o) => o.status === 'enriched')).toHaveLength(3);
    expect(outcomes.filter((o) => o.status === 'budget_exhausted')).toHaveLength(3);
    expect(await budgetUsed()).toBe(3);
  });
});

describe('company enrichment: resilience (cockatiel)', () => {
  it('answers unavailable/timeout when the registry hangs, and caches nothing', async () => {
    let aborted = false;
    const registry = recordingRegistry((_q, signal) => new Promise(() => signal?.addEventListener('abort', () => (aborted = true))));
    const enrichment = createCompanyEnrichment({ store, clock, registry }, { ...FAST, attemptTimeoutMs: 20 });
    expect(await enrichment.enrich('acme', { creditCode: known.creditCode })).toEqual({ status: 'unavailable', reason: 'timeout' });
    expect(aborted).toBe(true); // the adapter was told to stop
    await enrichment.enrich('acme', { creditCode: known.creditCode });
    expect(registry.calls).toHaveLength(2);
  });

  it('retries a failing call with backoff and succeeds', async () => {
    const real = createFixtureCompanyRegistry();
    let failures = 2;
    const registry = recordingRegistry(async (q) => {
      if (failures-- > 0) throw new Error('connection reset');
      return real.lookup(q);
    });
    const enrichment = createCompanyEnrichment({ store, clock, registry }, { ...FAST, retries: 2 });
    expect((await enrichment.enrich('acme', { creditCode: known.creditCode })).status).toBe('enriched');
    expect(registry.calls).toHaveLength(3);
    expect(await budgetUsed()).toBe(1); // one enrichment, however many attempts
  });

  it('opens the breaker after N consecutive failures, then half-opens after the break and closes on success', async () => {
    vi.useFakeTimers({ toFake: ['Date'] }); // cockatiel measures the break with Date.now()
    vi.setSystemTime(nowMs);
    let healthy = false;
    const real = createFixtureCompanyRegistry();
    const registry = recordingRegistry(async (q) => {
      if (!healthy) throw new Error('registry returned 503');
      return real.lookup(q);
    });
    const enrichment = createCompanyEnrichment({ store, clock, registry }, { ...FAST, breakerThreshold: 3, halfOpenAfterMs: 60_000 });

    for (const c of fixture.companies.slice(0, 3)) {
      expect(await enrichment.enrich('acme', { creditCode: c.creditCode })).toEqual({ status: 'unavailable', reason: 'error' });
    }
    expect(enrichment.circuitState).toBe('open');
    expect(await enrichment.enrich('acme', { creditCode: known.creditCode })).toEqual({ status: 'unavailable', reason: 'circuit_open' });
    expect(registry.calls).toHaveLength(3); // refused without calling
    expect(await budgetUsed()).toBe(3); // and without spending budget

    // After the break one trial call goes through; it fails, so the circuit opens again.
    vi.setSystemTime(nowMs + 60_001);
    expect(await enrichment.enrich('acme', { creditCode: known.creditCode })).toEqual({ status: 'unavailable', reason: 'error' });
    expect(registry.calls).toHaveLength(4);
    expect(enrichment.circuitState).toBe('open');
    expect((await enrichment.enrich('acme', { creditCode: known.creditCode })).status).toBe('unavailable');
    expect(registry.calls).toHaveLength(4);

    // Next trial succeeds: the circuit closes and calls flow again.
    healthy = true;
    vi.setSystemTime(nowMs + 120_002);
    expect((await enrichment.enrich('acme', { creditCode: known.creditCode })).status).toBe('enriched');
    expect(enrichment.circuitState).toBe('closed');
    expect((await enrichment.enrich('acme', { creditCode: other.creditCode })).status).toBe('enriched');
  });

  it('treats a malformed registry answer as unavailable and does not cache it', async () => {
    const registry = recordingRegistry(async () => ({ ...known, source: 'http:x', creditCode: '91350100M000100Y42' }) as unknown as CompanyRecord);
    const enrichment = createCompanyEnrichment({ store, clock, registry }, FAST);
    expect(await enrichment.enrich('acme', { creditCode: known.creditCode })).toEqual({ status: 'unavailable', reason: 'invalid_response' });
    expect(await store.get(enrichmentKeys.cacheByCreditCode('acme', known.creditCode))).toBeUndefined();
  });

  it('never rejects, even when the table store fails', async () => {
    const ioError = () => Promise.reject(new Error('disk I/O error'));
    const broken: TableStore = { get: ioError, put: ioError, batchGet: ioError, delete: ioError, transact: ioError, transactEach: ioError, query: ioError };
    const registry = failing();
    const warnings: string[] = [];
    const enrichment = createCompanyEnrichment({ store: broken, clock, registry, logger: { warn: (m) => warnings.push(m) } }, FAST);
    expect(await enrichment.enrich('acme', { creditCode: known.creditCode })).toEqual({ status: 'unavailable', reason: 'error' });
    expect(warnings).toEqual(['company enrichment: table store failed']);
    expect(registry.calls).toEqual([]);
  });

  it('enrichLater returns at once and reports the outcome when done', async () => {
    const enrichment = createCompanyEnrichment({ store, clock, registry: fixtureRegistry() }, FAST);
    const settled = new Promise<EnrichmentOutcome>((resolve) => {
      const result: unknown = enrichment.enrichLater('acme', { name: known.name }, resolve);
      expect(result).toBeUndefined();
    });
    expect((await settled).status).toBe('enriched');
    expect((await enrichment.enrich('acme', { creditCode: known.creditCode })).status).toBe('cached');
  });
});
