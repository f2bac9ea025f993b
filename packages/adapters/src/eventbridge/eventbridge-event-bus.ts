import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { DomainEvent, EventBus } from '@crm/core';

/** PutEvents limits: at most 10 entries and 256 KB per request (the same 256 KB caps one entry). */
export const MAX_ENTRIES_PER_PUT = 10;
export const MAX_PUT_BYTES = 256 * 1024;

export interface EventBridgeBusOptions {
  /** Created once per container by the composition root. */
  client: EventBridgeClient;
  busName: string;
  /** `source` of every entry (rules match on it). */
  source?: string;
  /** Attempts per chunk, the first included (default 4). */
  maxAttempts?: number;
  /** First retry delay in ms (default 100; exponential with decorrelated jitter up to maxDelayMs). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Size of an entry as EventBridge counts it: UTF-8 bytes of Source, DetailType, Detail and each
 * Resource, plus 14 bytes for Time.
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  for (const part of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) if (part) size += Buffer.byteLength(part, 'utf8');
  return size;
}

/** Splits entries into PutEvents requests of ≤ 10 entries and ≤ 256 KB, in order. */
export function chunkEntries<T>(items: readonly T[], sizeOf: (item: T) => number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length === MAX_ENTRIES_PER_PUT || bytes + size > MAX_PUT_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

class EntriesFailed extends Error {
  constructor(readonly count: number) {
    super(`${count} PutEvents entries failed`);
  }
}

/**
 * Publishes domain events to an EventBridge bus: `detail-type` = event type, `detail` = the whole
 * envelope, `time` = occurredAt. Requests of ≤ 10 entries and ≤ 256 KB; after each request only
 * the entries that came back with an ErrorCode (FailedEntryCount > 0) are sent again, with
 * exponential backoff and jitter (cockatiel); a request that throws is retried whole. Entries still
 * failing after the last attempt — and single events over 256 KB, which no retry can fix — are
 * returned in `failed`, never thrown, so the stream handler reports just their records.
 */
export function createEventBridgeEventBus(options: EventBridgeBusOptions): EventBus {
  const source = options.source ?? 'crm';
  const policy = retry(handleWhen(() => true), {
    maxAttempts: (options.maxAttempts ?? 4) - 1,
    backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs ?? 100, maxDelay: options.maxDelayMs ?? 2_000 }),
  });
  const toEntry = (event: DomainEvent): PutEventsRequestEntry => ({
    EventBusName: options.busName,
    Source: source,
    DetailType: event.type,
    Detail: JSON.stringify(event),
    Time: new Date(event.occurredAt),
  });

  async function putChunk(chunk: Array<{ event: DomainEvent; entry: PutEventsRequestEntry }>): Promise<DomainEvent[]> {
    let pending = chunk;
    try {
      await policy.execute(async () => {
        // A request that throws (throttled or unreachable after the SDK's own retries) is retried whole.
        const result = await options.client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) }));
        if (!result.FailedEntryCount) {
          pending = [];
          return;
        }
        const entries = result.Entries ?? [];
        const failed = pending.filter((_, i) => entries[i]?.ErrorCode !== undefined);
        // FailedEntryCount without per-entry codes (should not happen): resend everything rather than lose events.
        pending = failed.length > 0 ? failed : pending;
        throw new EntriesFailed(pending.length);
      });
    } catch {
      return pending.map((p) => p.event);
    }
    return [];
  }

  return {
    async publish(events) {
      const failed: DomainEvent[] = [];
      const sendable: Array<{ event: DomainEvent; entry: PutEventsRequestEntry }> = [];
      for (const event of events) {
        const entry = toEntry(event);
        if (entrySize(entry) > MAX_PUT_BYTES) failed.push(event);
        else sendable.push({ event, entry });
      }
      for (const chunk of chunkEntries(sendable, (p) => entrySize(p.entry))) failed.push(...(await putChunk(chunk)));
      return { failed };
    },
  };
}
