import type { ChangeRecord } from '../events/change-record-events';
import type { Item, ItemKey, TableStore, TransactOperation } from '../ports/table-store.port';
import type { Clock } from '../ports/clock.port';
import type { DueTimer, TimerHandler } from './timer.types';

/**
 * The timer machinery (docs/adr/0021-timers.md; the handlers' contract is in timer.types.ts).
 *
 * Due index: one item per pending timer in a system partition per hour,
 * `SYS#DUE#<yyyy-mm-ddTHH>` / `<dueAt>#<tenant>#<item pk>#<item sk>#<kind>`. Request handlers
 * cannot write there (tenant-scoped credentials); the `index-timers` stream consumer keeps it in
 * step with the items' `timers` maps, so a timer exists exactly when its item's change committed.
 * A timer already due when indexed goes into the current hour's bucket, so a sweep that has
 * passed its hour still finds it. The `fire-timers` schedule sweeps the buckets from its last run
 * to now; an entry is deleted once its handler has run (handlers are idempotent).
 */

const HOUR_MS = 3_600_000;
/** Entries handled per sweep (the rest wait a minute; the sweep's position only moves when done). */
const SWEEP_LIMIT = 1_000;
/** Failed attempts after which a timer is dropped (and logged) instead of retried every minute. */
const MAX_ATTEMPTS = 10;

export const timerKeys = {
  bucket: (at: Date) => `SYS#DUE#${at.toISOString().slice(0, 13)}`,
  entry: (bucket: string, timer: DueTimer): ItemKey => ({
    pk: bucket,
    sk: `${timer.dueAt}#${timer.tenantId}#${timer.key.pk}#${timer.key.sk}#${timer.kind}`,
  }),
  sweepState: (name: string): ItemKey => ({ pk: 'SYS#SCHEDULE', sk: name }),
};

type Timers = Record<string, string>;

function timersOf(image: Record<string, unknown> | undefined): Timers {
  const timers = image?.timers;
  if (!timers || typeof timers !== 'object') return {};
  return Object.fromEntries(Object.entries(timers as Record<string, unknown>).filter(([, at]) => typeof at === 'string' && !Number.isNaN(Date.parse(at)))) as Timers;
}

/** The bucket a timer goes into: its due hour, or the current hour when it is already due. */
function bucketFor(dueAt: string, now: Date): string {
  const due = new Date(dueAt);
  return timerKeys.bucket(due.getTime() < now.getTime() ? now : due);
}

/**
 * Due-index writes for one change: timers that appeared or moved get an entry, timers that moved
 * or went away lose theirs (a REMOVE clears all). Idempotent (replays rewrite the same entries).
 */
export function dueIndexOperations(record: ChangeRecord, now: Date): TransactOperation[] {
  const image = record.newImage ?? record.oldImage;
  if (!image || typeof image.tenantId !== 'string' || typeof image.pk !== 'string' || typeof image.sk !== 'string') return [];
  const before = timersOf(record.oldImage);
  const after = record.eventName === 'REMOVE' ? {} : timersOf(record.newImage);
  const base = { tenantId: image.tenantId, key: { pk: image.pk, sk: image.sk } };
  // Keyed by entry: a put of an entry also being deleted (a timer moved within one hour) wins.
  const operations = new Map<string, TransactOperation>();
  const remove = (key: ItemKey) => operations.set(`${key.pk}|${key.sk}`, { type: 'delete', key });
  for (const [kind, dueAt] of Object.entries(before)) {
    if (after[kind] === dueAt) continue;
    const timer = { ...base, kind, dueAt };
    // The entry may sit in its due hour or (indexed late) in a later one; both are cleared.
    remove(timerKeys.entry(timerKeys.bucket(new Date(dueAt)), timer));
    remove(timerKeys.entry(bucketFor(dueAt, now), timer));
  }
  for (const [kind, dueAt] of Object.entries(after)) {
    if (before[kind] === dueAt && record.eventName !== 'INSERT') continue;
    const timer = { ...base, kind, dueAt };
    const key = timerKeys.entry(bucketFor(dueAt, now), timer);
    operations.set(`${key.pk}|${key.sk}`, { type: 'put', item: { ...key, entity: 'due-timer', ...timer, attempts: 0 } });
  }
  return [...operations.values()];
}

export interface SweepResult {
  fired: number;
  failed: number;
  dropped: number;
  /** True when the sweep reached now (its position moved). */
  complete: boolean;
}

/**
 * One run of the `fire-timers` schedule: every entry due by now, oldest first, from the hour of
 * the previous run on; each goes to its kind's handler and is deleted once that returns. A handler
 * that throws leaves the entry for the next run (attempts counted, dropped after MAX_ATTEMPTS); an
 * unknown kind is dropped. Safe to run concurrently with itself (handlers are idempotent).
 */
export async function fireDueTimers(
  deps: { store: TableStore; clock: Clock; logger?: { error(message: string, extra: Record<string, unknown>): void } },
  handlers: Record<string, TimerHandler>,
  name = 'fire-timers',
): Promise<SweepResult> {
  const now = deps.clock.now();
  const state = await deps.store.get(timerKeys.sweepState(name), { consistent: true });
  const from = typeof state?.sweptUntil === 'string' ? new Date(state.sweptUntil) : new Date(now.getTime() - 24 * HOUR_MS);
  const result: SweepResult = { fired: 0, failed: 0, dropped: 0, complete: true };
  const upper = `${now.toISOString()}~`;
  for (let hour = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS; hour <= now.getTime() && result.complete; hour += HOUR_MS) {
    const partition = timerKeys.bucket(new Date(hour));
    let startAfter: Record<string, string> | undefined;
    do {
      const page = await deps.store.query({ partition, sortKey: { lte: upper }, limit: 100, consistent: true, ...(startAfter ? { startAfter } : {}) });
      for (const entry of page.items) {
        if (result.fired + result.failed + result.dropped >= SWEEP_LIMIT) {
          result.complete = false;
          break;
        }
        await fireOne(deps, handlers, entry, result);
      }
      startAfter = result.complete ? page.lastKey : undefined;
    } while (startAfter);
  }
  if (result.complete && result.failed === 0) {
    await deps.store.put({ ...timerKeys.sweepState(name), entity: 'schedule-state', sweptUntil: now.toISOString() });
  }
  return result;
}

async function fireOne(
  deps: { store: TableStore; clock: Clock; logger?: { error(message: string, extra: Record<string, unknown>): void } },
  handlers: Record<string, TimerHandler>,
  entry: Item,
  result: SweepResult,
): Promise<void> {
  const timer: DueTimer = { tenantId: entry.tenantId as string, key: entry.key as ItemKey, kind: entry.kind as string, dueAt: entry.dueAt as string };
  const handler = Object.hasOwn(handlers, timer.kind) ? handlers[timer.kind] : undefined;
  if (!handler) {
    deps.logger?.error('timer of an unknown kind dropped', { ...timer });
    await deps.store.delete({ pk: entry.pk, sk: entry.sk });
    result.dropped += 1;
    return;
  }
  try {
    await handler({ store: deps.store, clock: deps.clock }, timer);
    await deps.store.delete({ pk: entry.pk, sk: entry.sk });
    result.fired += 1;
  } catch (error) {
    const attempts = ((entry.attempts as number | undefined) ?? 0) + 1;
    deps.logger?.error('timer handler failed', { ...timer, attempts, error: String(error) });
    if (attempts >= MAX_ATTEMPTS) {
      await deps.store.delete({ pk: entry.pk, sk: entry.sk });
      result.dropped += 1;
    } else {
      await deps.store.put({ ...entry, attempts });
      result.failed += 1;
    }
  }
}
