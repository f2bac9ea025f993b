import type { SecuredContext } from '../access/access-policy';
import { isWithin } from '../access/data-scope';
import type { Item, TableStore, TransactOperation } from '../ports/table-store.port';
import { pipelineKeys } from './pipeline.keys';

/**
 * Per-stage aggregates of live deals, so a board reads counts and sums in O(stages × org units)
 * whatever the number of deals (docs/adr/0027-deal-pipelines-and-board-counters.md).
 *
 * The table-store port has no atomic ADD, so a counter is a versioned item rewritten in the deal's
 * own transaction: read it, put it back with `version = :read` (or `attribute_not_exists`). Two deal
 * writes that touch the same counter at once make one transaction fail; the deal use cases retry
 * from a fresh read (withCounterRetry). One counter per (pipeline, stage, org unit) spreads the
 * writes of different teams over different items and lets a board sum exactly the caller's subtree.
 */
export const COUNTER_ENTITY = 'deal-stage-counter';

export interface StageCounter {
  pipelineId: string;
  stage: string;
  orgPath: string;
  /** Live (not deleted) deals in the stage owned by the org unit. */
  count: number;
  /** Sums of their amounts per currency, in hundredths (integers: exact sums). */
  amountCents: Record<string, number>;
  version: number;
}

/** What one live deal adds to its counter. */
export interface CounterContribution {
  pipelineId: string;
  stage: string;
  orgPath: string;
  currency: string;
  amount?: number | null;
}

/** Amounts have at most two decimals: hundredths are exact integers. */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

export function counterItem(tenantId: string, c: StageCounter): Item {
  return { ...pipelineKeys.counter(tenantId, c.pipelineId, c.stage, c.orgPath), entity: COUNTER_ENTITY, tenantId, ...c };
}

export function toCounter(item: Item): StageCounter {
  return {
    pipelineId: item.pipelineId as string, stage: item.stage as string, orgPath: item.orgPath as string,
    count: item.count as number, amountCents: (item.amountCents ?? {}) as Record<string, number>, version: item.version as number,
  };
}

/** Adds one contribution to (or with sign -1 removes it from) a counter value. */
export function applyContribution(counter: Pick<StageCounter, 'count' | 'amountCents'>, c: CounterContribution, sign: 1 | -1): void {
  counter.count += sign;
  if (c.amount !== undefined && c.amount !== null) {
    const next = (counter.amountCents[c.currency] ?? 0) + sign * toCents(c.amount);
    if (next === 0) delete counter.amountCents[c.currency];
    else counter.amountCents[c.currency] = next;
  }
}

const bucketOf = (c: CounterContribution) => `${c.pipelineId}\n${c.stage}\n${c.orgPath}`;

/**
 * The counter writes that move a deal from `before` to `after` (undefined: not counted — absent or
 * deleted). Empty when nothing counted changes (a rename, a note). Each touched counter is read
 * consistently and put back conditionally; put these after the deal's own put in its transaction.
 */
export async function counterOperations(store: TableStore, tenantId: string, before?: CounterContribution, after?: CounterContribution): Promise<TransactOperation[]> {
  if (before && after && bucketOf(before) === bucketOf(after) && before.currency === after.currency && (before.amount ?? null) === (after.amount ?? null)) return [];
  const deltas = new Map<string, { key: CounterContribution; count: number; amountCents: Record<string, number> }>();
  for (const [c, sign] of [[before, -1], [after, 1]] as const) {
    if (!c) continue;
    const bucket = bucketOf(c);
    const delta = deltas.get(bucket) ?? { key: c, count: 0, amountCents: {} };
    applyContribution(delta, c, sign);
    deltas.set(bucket, delta);
  }
  const operations: TransactOperation[] = [];
  for (const delta of deltas.values()) {
    if (delta.count === 0 && Object.keys(delta.amountCents).length === 0) continue;
    const { pipelineId, stage, orgPath } = delta.key;
    const stored = await store.get(pipelineKeys.counter(tenantId, pipelineId, stage, orgPath), { consistent: true });
    const current = stored ? toCounter(stored) : { pipelineId, stage, orgPath, count: 0, amountCents: {}, version: 0 };
    const amountCents = { ...current.amountCents };
    for (const [currency, cents] of Object.entries(delta.amountCents)) {
      const next = (amountCents[currency] ?? 0) + cents;
      if (next === 0) delete amountCents[currency];
      else amountCents[currency] = next;
    }
    const next: StageCounter = { ...current, count: current.count + delta.count, amountCents, version: current.version + 1 };
    operations.push({
      type: 'put',
      item: counterItem(tenantId, next),
      condition: stored ? { kind: 'equals', attribute: 'version', value: current.version } : { kind: 'notExists' },
    });
  }
  return operations;
}

/** Every counter of a pipeline (or of one stage): one Query, O(stages × org units). */
export async function readCounters(store: TableStore, tenantId: string, pipelineId: string, options: { stage?: string; consistent?: boolean } = {}): Promise<StageCounter[]> {
  const out: StageCounter[] = [];
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await store.query({
      partition: pipelineKeys.partition(tenantId, pipelineId),
      sortKey: { beginsWith: pipelineKeys.counterPrefix(options.stage) },
      limit: 1000,
      ...(options.consistent ? { consistent: true } : {}),
      ...(startAfter ? { startAfter } : {}),
    });
    out.push(...page.items.map(toCounter));
    startAfter = page.lastKey;
  } while (startAfter);
  return out;
}

/**
 * The org subtree a caller's counts cover: the whole tenant (`/`), its own subtree, or none (own data
 * scope: counters are kept per org unit, not per owner).
 */
export function counterScopeOf(ctx: SecuredContext): string | null {
  if (ctx.access.dataScope === 'tenant') return '/';
  return ctx.access.dataScope === 'subtree' && ctx.principal.orgPath ? ctx.principal.orgPath : null;
}

/** A stage's deal count and amounts (major units per currency, sorted; zero sums left out) over the counters within `scope`. */
export function stageTotals(counters: readonly StageCounter[], stage: string, scope: string): { count: number; amount: Record<string, number> } {
  let count = 0;
  const cents: Record<string, number> = {};
  for (const c of counters) {
    if (c.stage !== stage || !isWithin(c.orgPath, scope)) continue;
    count += c.count;
    for (const [currency, value] of Object.entries(c.amountCents)) cents[currency] = (cents[currency] ?? 0) + value;
  }
  const amount: Record<string, number> = {};
  for (const [currency, value] of Object.entries(cents).sort(([a], [b]) => a.localeCompare(b))) if (value !== 0) amount[currency] = value / 100;
  return { count, amount };
}
