/**
 * A domain event as published: versioned, tenant-stamped metadata around `data`. The envelope is
 * the contract partners and internal consumers rely on (packages/core/src/events, docs/events.md).
 */
export interface DomainEvent<D extends Record<string, unknown> = Record<string, unknown>> {
  /** Deterministic per change record and event type, so a redelivered record republishes the same id (consumers dedupe on it). */
  id: string;
  /** `<entity>.<past-tense verb>`, e.g. `customer.created`. */
  type: string;
  /** Contract version of `data` for this type (a breaking change gets a new version). */
  version: number;
  tenantId: string;
  /** When the change happened (ISO 8601, UTC). */
  occurredAt: string;
  /** The request that caused the change, when known. */
  correlationId?: string;
  /** The record the event is about. */
  subject: { type: string; id: string };
  data: D;
}

/**
 * Publishes domain events: EventBridge PutEvents in AWS, an in-process bus (JSONL file +
 * subscribers) locally. Never throws for events it could not deliver after its retries: it
 * returns them in `failed` so the stream handler can report exactly those records as failures.
 */
export interface EventBus {
  publish(events: readonly DomainEvent[]): Promise<{ failed: DomainEvent[] }>;
}
