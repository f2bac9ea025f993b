import type { Clock } from '../ports/clock.port';
import type { ItemKey, TableStore } from '../ports/table-store.port';

/**
 * Timers (docs/adr/0021-timers.md): an item that needs something to happen at a given time carries
 * `timers: { <kind>: <ISO instant> }`. The `index-timers` stream consumer keeps a system due-index
 * of them; the `fire-timers` schedule (every minute) calls the handler registered for each due
 * timer's kind (timer-handlers.ts). A handler re-reads the item and acts only when
 * `timers[kind]` still equals `dueAt` — a timer that was moved or cleared meanwhile is ignored —
 * and clears (or moves) it in the same conditional write that records what it did, so firing twice
 * changes nothing. What happened is then published by the change feed like any other change.
 */
export interface DueTimer {
  tenantId: string;
  /** The item that carries the timer. */
  key: ItemKey;
  kind: string;
  /** The ISO instant the timer was set for (as stored in the item's `timers`). */
  dueAt: string;
}

/** What a timer handler gets: the unrestricted store (it checks the tenant itself) and the clock. */
export interface TimerDeps {
  store: TableStore;
  clock: Clock;
}

export type TimerHandler = (deps: TimerDeps, timer: DueTimer) => Promise<void>;
