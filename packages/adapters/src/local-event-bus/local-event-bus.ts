import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DomainEvent, EventBus } from '@crm/core';

/** Which events a subscriber receives: the subset of EventBridge patterns the CRM uses (detail-type list). */
export interface LocalEventFilter {
  types?: readonly string[];
}

export type LocalEventListener = (event: DomainEvent) => void | Promise<void>;

export interface LocalEventBus extends EventBus {
  /** Adds an in-process subscriber (later: the webhook dispatcher); returns the unsubscribe function. */
  subscribe(listener: LocalEventListener, filter?: LocalEventFilter): () => void;
  /** Events in the log file, in publish order. */
  readAll(): DomainEvent[];
  readonly file: string;
}

/**
 * The local stand-in for the EventBridge bus: every published event is appended as one JSON line
 * to `file` (the bus archive a developer can tail and replay) and handed to matching in-process
 * subscribers, in order. Like EventBridge, a failing subscriber does not fail the publish (its
 * error goes to `onSubscriberError`); a failing append does, and the event is returned in `failed`.
 */
export function createLocalEventBus(options: { file: string; onSubscriberError?: (error: unknown, event: DomainEvent) => void }): LocalEventBus {
  const subscribers = new Set<{ listener: LocalEventListener; filter: LocalEventFilter }>();
  mkdirSync(dirname(options.file), { recursive: true });
  return {
    file: options.file,
    async publish(events) {
      const failed: DomainEvent[] = [];
      for (const [index, event] of events.entries()) {
        try {
          appendFileSync(options.file, `${JSON.stringify(event)}\n`, 'utf8');
        } catch {
          // Keep order: nothing after a failed append is published either.
          failed.push(...events.slice(index));
          break;
        }
        for (const { listener, filter } of subscribers) {
          if (filter.types && !filter.types.includes(event.type)) continue;
          try {
            await listener(event);
          } catch (error) {
            options.onSubscriberError?.(error, event);
          }
        }
      }
      return { failed };
    },
    subscribe(listener, filter = {}) {
      const subscription = { listener, filter };
      subscribers.add(subscription);
      return () => subscribers.delete(subscription);
    },
    readAll() {
      if (!existsSync(options.file)) return [];
      return readFileSync(options.file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as DomainEvent);
    },
  };
}
