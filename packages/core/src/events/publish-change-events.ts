import type { DomainEvent, EventBus } from '../ports/event-bus.port';
import { eventsFromChange, type ChangeRecord } from './change-record-events';

/** What the relay logs through (Powertools' Logger fits). */
export interface RelayLogger {
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/**
 * The outbox relay of one stream batch: maps every change to its events, publishes them in record
 * order in one `publish` call, and returns the keys (sequence numbers) of the records to report as
 * batch item failures — the records whose events were not all published. Lambda (and the local
 * dispatcher) resume from the lowest reported record, so order is kept; records after it are
 * published again with the same event ids. A record that cannot be mapped (a bug, a malformed
 * item) is reported with every record after it, which are not attempted: retries and
 * bisect-on-error isolate it and the on-failure queue keeps it instead of it being dropped.
 */
export async function publishChangeEvents(
  bus: EventBus,
  changes: ReadonlyArray<{ key: string; change: ChangeRecord }>,
  logger?: RelayLogger,
): Promise<{ failedKeys: string[]; published: number }> {
  const mapped: Array<DomainEvent[] | undefined> = [];
  for (const { key, change } of changes) {
    try {
      mapped.push(eventsFromChange(change));
    } catch (error) {
      logger?.error('change record could not be mapped to events', { key, eventId: change.eventId, error: String(error) });
      break;
    }
  }
  const events = mapped.flatMap((e) => e ?? []);
  const { failed } = await bus.publish(events);
  if (failed.length > 0) logger?.warn('events not published; their records are retried', { failed: failed.length });
  const failedIds = new Set(failed.map((e) => e.id));
  const failedKeys = changes
    .filter((_, i) => i >= mapped.length || mapped[i]!.some((e) => failedIds.has(e.id)))
    .map((c) => c.key);
  return { failedKeys, published: events.length - failed.length };
}
