import type { ManifestEntry } from '../manifest.types';

/** Platform: timers (task reminders, stale deals) — docs/adr/0021-timers.md. */
export const timerEntries: ManifestEntry[] = [
  {
    kind: 'stream', name: 'index-timers', context: 'platform', entry: 'functions/timers/index-timers.handler.ts', entities: ['task', 'deal'],
    table: 'read-write', batchSize: 100, maxBatchingWindowSeconds: 1,
    summary: "Keeps the system due-index in step with items' timers",
  },
  {
    kind: 'schedule', name: 'fire-timers', context: 'platform', entry: 'functions/timers/fire-timers.handler.ts', rateMinutes: 1,
    table: 'read-write',
    summary: 'Fires due timers (task reminders, stale deals) every minute',
  },
];
