import type { ManifestEntry } from '../manifest.types';

/**
 * Domain events (issue 5): the table's change feed is the outbox. One stream consumer turns changes
 * into versioned events (packages/core/src/events, docs/events.md) and publishes them to the
 * stage's EventBridge bus (locally: the in-process bus and `<data>/events/events.jsonl`).
 */
export const eventEntries: ManifestEntry[] = [
  {
    kind: 'stream', name: 'publish-events', context: 'platform', entry: 'functions/events/publish-events.handler.ts', entities: ['customer', 'interaction', 'order', 'task', 'deal', 'customer-churn'],
    table: 'none', batchSize: 100, maxBatchingWindowSeconds: 1, eventBus: 'publish',
    summary: 'Turns table changes into versioned domain events and publishes them to the event bus (partial batch failures)',
  },
];
