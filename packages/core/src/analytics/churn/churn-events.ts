import * as z from 'zod';
import type { EventDefinition } from '../../events/event-catalogue';
import type { ChangeRecord, Draft, EntityEventMapper } from '../../events/change-record-events';
import { CHURN_ENTITY } from './churn-episode';
import { instant } from '../../events/event-time';

/**
 * The churn trigger's event: its contract (registered in EVENT_DEFINITIONS) and the mapping of
 * churn-episode items to it (registered by entity in eventsFromChange). See docs/events.md.
 * Figures and ids only; no contact data.
 */
export const CHURN_EVENT_DEFINITIONS: EventDefinition[] = [
  {
    type: 'customer.churn-risk', version: 1, subject: 'customer',
    description: 'A high-value customer (paid amount above the tenant average) made no paid order for `days` days: once per episode (the detect-churn job); the trigger re-arms after the next paid order.',
    data: z.object({
      /** The threshold in days without a paid order. */
      days: z.number().int().positive(),
      /** Days (UTC calendar dates) since the last paid order when the episode opened. */
      recencyDays: z.number().int().nonnegative(),
      lastOrderAt: z.iso.datetime(),
      frequency: z.number().int().nonnegative(),
      /** Paid amount in major units of `currency`. */
      monetary: z.number().nonnegative(),
      currency: z.string().regex(/^[A-Z]{3}$/),
      /** The customer's episode number (1, 2, …). */
      episode: z.number().int().positive(),
    }),
  },
];

function churnEvents(record: ChangeRecord, next: Record<string, unknown>): Draft[] {
  if (record.eventName === 'REMOVE' || next.status !== 'open') return [];
  const old = record.oldImage ?? {};
  if (record.eventName === 'MODIFY' && old.status === 'open' && old.openSince === next.openSince) return [];
  return [{
    type: 'customer.churn-risk', version: 1, subjectType: 'customer', occurredAt: instant(next.openSince, record),
    data: {
      days: next.days, recencyDays: next.recencyDays, lastOrderAt: instant(next.lastOrderAt, record),
      frequency: next.frequency, monetary: next.monetary, currency: next.currency, episode: next.episode,
    },
  }];
}

/** entity → the events one change of such an item publishes. */
export const churnEventMappers: Record<string, EntityEventMapper> = { [CHURN_ENTITY]: churnEvents };
