import type { EventDefinition } from '../events/event-catalogue';
import type { EntityEventMapper } from '../events/change-record-events';

/**
 * The order domain events: their contracts (registered in EVENT_DEFINITIONS) and the mapping of
 * changed order items to them (registered by entity in eventsFromChange). See docs/events.md.
 */
export const ORDER_EVENT_DEFINITIONS: EventDefinition[] = [];

/** entity → the events one change of such an item publishes. */
export const orderEventMappers: Record<string, EntityEventMapper> = {};
