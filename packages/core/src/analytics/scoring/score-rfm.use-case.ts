import { auditEntryFrom, auditPutOperation } from '../../audit/audit-entry';
import { customerKeys } from '../../customers/customer.keys';
import type { AnalyticsEngine } from '../../ports/analytics-engine.port';
import type { Clock } from '../../ports/clock.port';
import type { IdGenerator } from '../../ports/id-generator.port';
import { TransactionConflictError, type Item, type TableStore, type TransactOperation } from '../../ports/table-store.port';
import { systemContext } from '../../principal';
import { loadAnalyticsSettings } from '../analytics-settings';
import type { AnalyticsRow } from '../report-definitions';
import { RFM_CLEARED_AT, RFM_SEGMENT_IDS, rfmIndexItems, rfmKeys, rfmSegmentId, type RfmProfile, type RfmSegmentId } from './rfm-profile';

/** Who the write-back is attributed to (audit actor). */
export const RFM_ACTOR = 'system:score-rfm';

export interface ScoreRfmDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
  engine: AnalyticsEngine;
}

export interface ScoreRfmOptions {
  /** Profiles written per batch of independent transactions (default 100). */
  batchSize?: number;
}

export interface ScoreRfmResult {
  tenantId: string;
  /** The tenant's analytics currency (settings) the run scored in. */
  currency: string;
  /** false: the tenant switched RFM off (settings `rfmEnabled`); the run only cleared scores. */
  enabled: boolean;
  asOf: string;
  /** Rows of the report. */
  scored: number;
  /** Profiles whose `rfm` was written (new or changed figures). */
  written: number;
  /** Profiles that already held the same figures (nothing written). */
  unchanged: number;
  /** Rows without a live profile (deleted, merged, or unknown customer). */
  skipped: number;
  /** Profiles that kept changing under the job (three version conflicts in a row); next run retries. */
  conflicts: number;
  /** Profiles scored before but not by this run (e.g. every order refunded): `rfm` removed. */
  cleared: number;
  /** Report rows per segment id. */
  segments: Record<RfmSegmentId, number>;
}

const MAX_ATTEMPTS = 3;

/** The profile figures of one report row. */
export function rfmProfileOf(row: AnalyticsRow, currency: string, scoredAt: string): RfmProfile {
  return {
    segment: rfmSegmentId(String(row.segment)),
    r: Number(row.r_score),
    f: Number(row.f_score),
    m: Number(row.m_score),
    recencyDays: Number(row.recency_days),
    frequency: Number(row.frequency),
    monetary: Number(row.monetary),
    currency,
    scoredAt,
  };
}

const sameFigures = (a: unknown, b: RfmProfile): boolean => {
  if (!a || typeof a !== 'object') return false;
  const { scoredAt: _a, ...left } = a as RfmProfile;
  const { scoredAt: _b, ...right } = b;
  return JSON.stringify(left, Object.keys(left).sort()) === JSON.stringify(right, Object.keys(right).sort());
};

const isLiveProfile = (item: Item | undefined): item is Item =>
  !!item && item.entity === 'customer' && !item.deletedAt && !item.mergedInto;

/**
 * Scheduled RFM write-back for one tenant: reads the tenant's analytics settings once (currency,
 * `rfmEnabled`; packages/core/src/analytics/analytics-settings.ts), runs the `rfm` report (as of
 * now, in that currency) on the analytics engine and stores `rfm` ({@link RfmProfile}) on every
 * scored live customer profile, moving its segment membership item (`T#t#RFM#<segment>` / `<id>`) when the segment changed.
 *
 * Like enrichment, the write keeps `version`, `updatedAt` and `updatedBy`: the scores are
 * server-owned metadata outside optimistic locking, so a nightly run never makes a user's If-Match
 * fail and publishes no customer.updated. Each profile write is conditional on the version read
 * (a concurrent user edit wins; the profile is re-read and the write retried, up to three times).
 * Idempotent: figures equal to the stored ones are not written again. Profiles the run did not
 * score lose their scores — whatever currency they were scored in, so a currency change leaves no
 * segment of the old currency behind; with RFM switched off every score is cleared. One audit entry
 * per run (counts), not one per customer.
 */
export async function scoreRfm(deps: ScoreRfmDeps, tenantId: string, options: ScoreRfmOptions = {}): Promise<ScoreRfmResult> {
  const { currency, rfmEnabled: enabled } = await loadAnalyticsSettings(deps.store, tenantId);
  const batchSize = options.batchSize ?? 100;
  const now = deps.clock.now();
  const asOf = now.toISOString();
  const rows = enabled ? await deps.engine.run(tenantId, 'rfm', { currency, asOf }) : [];
  const result: ScoreRfmResult = {
    tenantId, currency, enabled, asOf, scored: rows.length, written: 0, unchanged: 0, skipped: 0, conflicts: 0, cleared: 0,
    segments: Object.fromEntries(RFM_SEGMENT_IDS.map((s) => [s, 0])) as Record<RfmSegmentId, number>,
  };
  for (const row of rows) result.segments[rfmSegmentId(String(row.segment))] += 1;

  for (let start = 0; start < rows.length; start += batchSize) {
    let pending = rows.slice(start, start + batchSize).map((row) => ({ id: String(row.customer_id), rfm: rfmProfileOf(row, currency, asOf) }));
    for (let attempt = 0; attempt < MAX_ATTEMPTS && pending.length > 0; attempt++) {
      const profiles = await deps.store.batchGet(pending.map((p) => customerKeys.profile(tenantId, p.id)));
      const byId = new Map(profiles.map((p) => [String(p.id), p]));
      const writes: Array<{ id: string; rfm: RfmProfile; operations: TransactOperation[] }> = [];
      for (const p of pending) {
        const current = byId.get(p.id);
        if (!isLiveProfile(current)) result.skipped += 1;
        else if (sameFigures(current.rfm, p.rfm)) result.unchanged += 1;
        else writes.push({ ...p, operations: rfmWriteOperations(tenantId, current, p.rfm) });
      }
      const errors = await deps.store.transactEach(writes.map((w) => w.operations));
      const retry: typeof pending = [];
      errors.forEach((error, i) => {
        if (!error) result.written += 1;
        else if (error instanceof TransactionConflictError) retry.push(writes[i]!);
        else throw error;
      });
      pending = retry;
    }
    result.conflicts += pending.length;
  }

  await clearUnscored(deps.store, tenantId, asOf, new Set(rows.map((r) => String(r.customer_id))), result);

  await deps.store.transact([auditPutOperation(auditEntryFrom(systemContext(tenantId, RFM_ACTOR), {
    action: 'analytics:score-rfm', resource: 'customer',
    detail: {
      currency, enabled, asOf, scored: result.scored, written: result.written, unchanged: result.unchanged, skipped: result.skipped,
      conflicts: result.conflicts, cleared: result.cleared, segments: result.segments,
    },
  }, deps.clock, deps.ids))]);
  return result;
}

/**
 * Segment members the run did not score lose their `rfm` and membership item: a customer whose
 * orders were all refunded or cancelled is in no segment any more, nor is one scored in a currency
 * the tenant no longer uses (a customer with paid orders in the new currency was rewritten above).
 */
async function clearUnscored(store: TableStore, tenantId: string, asOf: string, scored: ReadonlySet<string>, result: ScoreRfmResult): Promise<void> {
  const stale: string[] = [];
  for (const segment of RFM_SEGMENT_IDS) {
    let startAfter: Record<string, string> | undefined;
    do {
      const page = await store.query({ partition: rfmKeys.segmentPartition(tenantId, segment), limit: 500, ...(startAfter ? { startAfter } : {}) });
      for (const item of page.items) if (!scored.has(String(item.customerId))) stale.push(String(item.customerId));
      startAfter = page.lastKey;
    } while (startAfter);
  }
  for (let start = 0; start < stale.length; start += 100) {
    const profiles = await store.batchGet(stale.slice(start, start + 100).map((id) => customerKeys.profile(tenantId, id)));
    const groups: TransactOperation[][] = [];
    for (const current of profiles) {
      const rfm = current.rfm as RfmProfile | undefined;
      if (!rfm) continue;
      const { rfm: _drop, ...rest } = current;
      groups.push([
        // The version stays (as for a score write); `rfmClearedAt` orders this change after the last
        // `rfm.scoredAt` for the change-feed consumers (the dashboard counters) that rank same-version images.
        { type: 'put', item: { ...rest, [RFM_CLEARED_AT]: asOf }, condition: { kind: 'equals', attribute: 'version', value: current.version as number } },
        ...rfmIndexItems(tenantId, { id: String(current.id), rfm }).map((i): TransactOperation => ({ type: 'delete', key: { pk: i.pk, sk: i.sk } })),
      ]);
    }
    for (const error of await store.transactEach(groups)) {
      if (!error) result.cleared += 1;
      else if (error instanceof TransactionConflictError) result.conflicts += 1;
      else throw error;
    }
  }
}

/** The profile as stored plus `rfm` (version-conditional) and the segment membership move. */
function rfmWriteOperations(tenantId: string, current: Item, rfm: RfmProfile): TransactOperation[] {
  const customer = { id: String(current.id) };
  const before = rfmIndexItems(tenantId, { ...customer, rfm: current.rfm as RfmProfile | undefined });
  const after = rfmIndexItems(tenantId, { ...customer, rfm });
  const key = (i: Item) => `${i.pk}\u0000${i.sk}`;
  const afterKeys = new Set(after.map(key));
  const beforeKeys = new Set(before.map(key));
  return [
    { type: 'put', item: { ...current, rfm }, condition: { kind: 'equals', attribute: 'version', value: current.version as number } },
    ...before.filter((i) => !afterKeys.has(key(i))).map((i): TransactOperation => ({ type: 'delete', key: { pk: i.pk, sk: i.sk } })),
    ...after.filter((i) => !beforeKeys.has(key(i))).map((item): TransactOperation => ({ type: 'put', item })),
  ];
}

