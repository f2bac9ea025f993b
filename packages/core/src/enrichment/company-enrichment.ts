import { nameKey } from '../customers/customer.keys';
import type { Clock } from '../ports/clock.port';
import { CompanyRecord, type CompanyQuery, type CompanyRegistry } from '../ports/company-registry.port';
import { ConditionFailedError, type ItemKey, type TableStore } from '../ports/table-store.port';
import { isValidCreditCode, normalizeCreditCode } from './credit-code';
import { enrichmentKeys } from './enrichment.keys';
import { createResilientCall, failureReasonOf, type CircuitStateName, type ResilientCallOptions } from '../shared/resilient-call';

export type { CircuitStateName } from '../shared/resilient-call';

/**
 * What `enrich` answers. It never rejects: enrichment is a nice-to-have and must not fail (or
 * block) the write that asked for it.
 * - `enriched`: the registry answered with a record (now cached).
 * - `cached`: a cached record, no registry call, no budget spent.
 * - `not_found`: the registry (or the negative cache, `cachedAt` set) knows no such company, or the
 *   query had nothing usable (`reason: 'no_usable_query'`).
 * - `budget_exhausted`: the tenant's daily budget of registry calls is used up; nothing was called.
 * - `unavailable`: timeout, open circuit, provider error or a malformed answer (after retries).
 */
export type EnrichmentOutcome =
  | { status: 'enriched'; record: CompanyRecord }
  | { status: 'cached'; record: CompanyRecord; cachedAt: string }
  | { status: 'not_found'; cachedAt?: string; reason?: 'no_usable_query' }
  | { status: 'budget_exhausted'; budget: number }
  | { status: 'unavailable'; reason: 'timeout' | 'circuit_open' | 'error' | 'invalid_response' };

export type EnrichmentStatus = EnrichmentOutcome['status'];

/** Tunables; every one has a production default (the call's own in ResilientCallOptions). */
export interface CompanyEnrichmentOptions extends ResilientCallOptions {
  /** Days a found record stays cached (default 30). */
  cacheTtlDays?: number;
  /** Hours a "no such company" answer stays cached (default 24: registrations appear daily). */
  negativeCacheTtlHours?: number;
  /** Registry calls per tenant and UTC day (default 500); a function lets tenants differ. */
  dailyBudget?: number | ((tenantId: string) => number);
}

/** Structural subset of the Powertools logger (core has no logging dependency). */
export interface EnrichmentLogger {
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
}

export interface CompanyEnrichmentDeps {
  store: TableStore;
  clock: Clock;
  registry: CompanyRegistry;
  logger?: EnrichmentLogger;
}

export interface CompanyEnrichment {
  /** Looks the company up through cache → budget → resilient registry call. Never rejects. */
  enrich(tenantId: string, query: CompanyQuery): Promise<EnrichmentOutcome>;
  /**
   * Fire-and-forget variant for callers that must not wait (the write has already committed).
   * In Lambda an unawaited promise freezes with the invocation, so request handlers should rely on
   * the `enrich-company` change-feed consumer instead; this suits long-lived processes and tests.
   */
  enrichLater(tenantId: string, query: CompanyQuery, onSettled?: (outcome: EnrichmentOutcome) => void | Promise<void>): void;
  /** State of the shared circuit breaker (one per enrichment instance, i.e. per container). */
  readonly circuitState: CircuitStateName;
}

/** The lookup a query resolves to: a valid credit code wins over the name; invalid codes are ignored. */
export function resolveCompanyQuery(query: CompanyQuery): { lookup: CompanyQuery; cacheKey: (tenantId: string) => ItemKey } | undefined {
  const code = query.creditCode === undefined ? undefined : normalizeCreditCode(query.creditCode);
  if (code && isValidCreditCode(code)) {
    return { lookup: { creditCode: code }, cacheKey: (t) => enrichmentKeys.cacheByCreditCode(t, code) };
  }
  const name = query.name?.trim();
  if (name && nameKey(name) !== '') return { lookup: { name }, cacheKey: (t) => enrichmentKeys.cacheByName(t, name) };
  return undefined;
}

/**
 * Wraps a registry adapter for use by the CRM: a per-tenant cache in the table store (positive and
 * negative answers, TTL-expired), a per-tenant daily budget of registry calls (a conditional
 * counter, like the claim quota), and cockatiel policies around each call: retry with exponential
 * backoff (outermost) → circuit breaker (shared by all tenants: the provider is down for everyone)
 * → per-attempt timeout (aggressive: the caller is released even if the adapter ignores the signal).
 * Create it once per container so the breaker sees every call.
 */
export function createCompanyEnrichment(deps: CompanyEnrichmentDeps, options: CompanyEnrichmentOptions = {}): CompanyEnrichment {
  const cacheTtlSeconds = (options.cacheTtlDays ?? 30) * 86_400;
  const negativeTtlSeconds = (options.negativeCacheTtlHours ?? 24) * 3_600;
  const budgetOf = (tenantId: string) => {
    const b = options.dailyBudget ?? 500;
    return typeof b === 'function' ? b(tenantId) : b;
  };

  // retry → circuit breaker → per-attempt timeout (shared/resilient-call.ts), one breaker per instance.
  const resilient = createResilientCall(options);

  const warn = (message: string, detail: Record<string, unknown>) => {
    try {
      deps.logger?.warn(message, detail);
    } catch {
      // Logging must not turn a handled failure into a thrown one.
    }
  };

  async function readCache(key: ItemKey): Promise<EnrichmentOutcome | undefined> {
    const item = await deps.store.get(key);
    if (!item) return undefined;
    const cachedAt = String(item.cachedAt);
    if (item.found === false) return { status: 'not_found', cachedAt };
    const parsed = CompanyRecord.safeParse(item.record);
    return parsed.success ? { status: 'cached', record: parsed.data, cachedAt } : undefined; // unreadable entry: a miss
  }

  async function writeCache(tenantId: string, keys: ItemKey[], record: CompanyRecord | undefined): Promise<void> {
    const now = deps.clock.now();
    const expiresAt = Math.floor(now.getTime() / 1000) + (record ? cacheTtlSeconds : negativeTtlSeconds);
    for (const key of keys) {
      await deps.store.put({
        ...key, entity: 'enrichment-cache', tenantId, found: record !== undefined, ...(record ? { record } : {}), cachedAt: now.toISOString(), expiresAt,
      });
    }
  }

  /** Takes one unit of today's budget; false when it is used up. Concurrent takers retry on the condition. */
  async function takeBudget(tenantId: string, budget: number): Promise<boolean> {
    const now = deps.clock.now();
    const key = enrichmentKeys.budget(tenantId, now.toISOString().slice(0, 10));
    for (let attempt = 0; attempt < 5; attempt++) {
      const counter = await deps.store.get(key, { consistent: true });
      const used = (counter?.count as number | undefined) ?? 0;
      if (used >= budget) return false;
      try {
        await deps.store.put(
          { ...key, entity: 'enrichment-budget', tenantId, count: used + 1, expiresAt: Math.floor(now.getTime() / 1000) + 2 * 86_400 },
          { condition: counter ? { kind: 'equals', attribute: 'count', value: used } : { kind: 'notExists' } },
        );
        return true;
      } catch (error) {
        if (!(error instanceof ConditionFailedError)) throw error;
      }
    }
    throw new Error('Enrichment budget counter is too contended');
  }

  async function enrich(tenantId: string, query: CompanyQuery): Promise<EnrichmentOutcome> {
    const resolved = resolveCompanyQuery(query);
    if (!resolved) return { status: 'not_found', reason: 'no_usable_query' };
    const cacheKey = resolved.cacheKey(tenantId);
    try {
      const cached = await readCache(cacheKey);
      if (cached) return cached;
      if (resilient.refusesCalls()) {
        return { status: 'unavailable', reason: 'circuit_open' }; // no budget spent on a call that cannot happen
      }
      const budget = budgetOf(tenantId);
      if (!(await takeBudget(tenantId, budget))) return { status: 'budget_exhausted', budget };
    } catch (error) {
      warn('company enrichment: table store failed', { tenantId, error: describe(error) });
      return { status: 'unavailable', reason: 'error' };
    }

    let answer: unknown;
    try {
      answer = await resilient.execute((signal) => deps.registry.lookup(resolved.lookup, { signal }));
    } catch (error) {
      const reason = failureReasonOf(error);
      warn('company enrichment: registry unavailable', { tenantId, reason, error: describe(error) });
      return { status: 'unavailable', reason };
    }

    let record: CompanyRecord | undefined;
    if (answer !== undefined) {
      const parsed = CompanyRecord.safeParse(answer);
      if (!parsed.success) {
        warn('company enrichment: malformed registry answer', { tenantId, issues: parsed.error.issues.slice(0, 5) });
        return { status: 'unavailable', reason: 'invalid_response' };
      }
      record = parsed.data;
    }
    try {
      // A record found by name is also cached under its credit code (the next lookup usually has it).
      const keys = record && !resolved.lookup.creditCode ? [cacheKey, enrichmentKeys.cacheByCreditCode(tenantId, record.creditCode)] : [cacheKey];
      await writeCache(tenantId, keys, record);
    } catch (error) {
      warn('company enrichment: cache write failed', { tenantId, error: describe(error) }); // the answer is still good
    }
    return record ? { status: 'enriched', record } : { status: 'not_found' };
  }

  return {
    enrich,
    enrichLater(tenantId, query, onSettled) {
      void enrich(tenantId, query)
        .then((outcome) => onSettled?.(outcome))
        .catch((error: unknown) => warn('company enrichment: onSettled failed', { tenantId, error: describe(error) }));
    },
    get circuitState(): CircuitStateName {
      return resilient.circuitState;
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
