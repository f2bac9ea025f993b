import * as z from 'zod';
import type { EventDefinition } from '../events/event-catalogue';
import type { ChangeRecord, Draft, EntityEventMapper } from '../events/change-record-events';
import { ORDER_STATUSES } from './order.schema';
import { instant } from '../events/event-time';

/**
 * The order domain events: their contracts (registered in EVENT_DEFINITIONS) and the mapping of
 * changed order items to them (registered by entity in eventsFromChange). See docs/events.md.
 * They carry the monetary facts analytics (RFM) reads — amount, currency, status, orderedAt — and
 * never order lines or who recorded them beyond the source.
 */
const RecordRef = z.string().min(1).max(128);
const Status = z.enum(ORDER_STATUSES);

const OrderSummary = {
  orderId: RecordRef,
  customerId: RecordRef,
  /** Major units, at most two decimals. */
  amount: z.number().nonnegative(),
  /** ISO 4217. */
  currency: z.string().regex(/^[A-Z]{3}$/),
  orderedAt: z.iso.datetime(),
  /** pos, ecommerce, manual, … */
  source: z.string(),
};

export const ORDER_EVENT_DEFINITIONS: EventDefinition[] = [
  {
    type: 'order.recorded', version: 1, subject: 'order',
    description: 'An order was recorded for a customer (API, or a POS purchase / paid e-commerce order interaction).',
    data: z.object({ ...OrderSummary, status: Status }),
  },
  {
    type: 'order.status-changed', version: 1, subject: 'order',
    description: 'An order changed status (paid → refunded or cancelled).',
    data: z.object({ ...OrderSummary, from: Status, to: Status }),
  },
];

function summary(image: Record<string, unknown>, record: ChangeRecord) {
  return {
    orderId: String(image.id), customerId: String(image.customerId), amount: image.amount, currency: image.currency,
    orderedAt: instant(image.orderedAt, record), source: String(image.source ?? 'manual'),
  };
}

/** order INSERT → order.recorded; order MODIFY with a new status → order.status-changed; REMOVE → nothing. */
const orderEvents: EntityEventMapper = (record, image) => {
  const drafts: Draft[] = [];
  if (record.eventName === 'INSERT') {
    drafts.push({ type: 'order.recorded', version: 1, subjectType: 'order', occurredAt: instant(image.createdAt, record), data: { ...summary(image, record), status: image.status } });
  } else if (record.eventName === 'MODIFY') {
    const from = record.oldImage?.status;
    if (from !== undefined && from !== image.status) {
      drafts.push({
        type: 'order.status-changed', version: 1, subjectType: 'order', occurredAt: instant(image.statusChangedAt ?? image.updatedAt, record),
        data: { ...summary(image, record), from, to: image.status },
      });
    }
  }
  return drafts;
};

/** entity → the events one change of such an item publishes. */
export const orderEventMappers: Record<string, EntityEventMapper> = { order: orderEvents };
