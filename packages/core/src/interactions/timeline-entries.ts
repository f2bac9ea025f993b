import type { Item, TransactOperation } from '../ports/table-store.port';
import { interactionKeys } from './interaction.keys';
import { CRM_CHANNEL, type CrmTimelineType } from './interaction.schema';

/** A system entry in a customer's timeline (a note, a deal stage change). */
export interface TimelineEntry {
  /** The id of the entry (usually the note's or the stage-history record's id). */
  id: string;
  customerId: string;
  type: CrmTimelineType;
  /** When it happened (canonical ISO instant); orders the timeline. */
  occurredAt: string;
  /** What the timeline shows: keep it small (an excerpt, ids, names); never a sensitive value. */
  payload: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
}

/**
 * Notes and deal stage changes appear in the customer's timeline as items of the customer's item
 * collection (`T#t#C#<customer>` / `TL#<occurredAt>#<id>`, entity `timeline-entry`, channel `crm`):
 * the same one-Query timeline returns them merged with interactions, `?channel=crm` filters them,
 * and a merge moves them with the customer's other timeline items. They are not interactions: no
 * `interaction.recorded` event, no ingestion. Write the put in the same transaction as the record
 * it reflects; remove it with `timelineEntryDeleteOperation` when that record is deleted.
 */
export function timelineEntryItem(tenantId: string, entry: TimelineEntry): Item {
  return {
    ...interactionKeys.timeline(tenantId, entry.customerId, entry.occurredAt, entry.id),
    entity: 'timeline-entry',
    tenantId,
    channel: CRM_CHANNEL,
    ...entry,
  };
}

export function timelineEntryPutOperation(tenantId: string, entry: TimelineEntry): TransactOperation {
  return { type: 'put', item: timelineEntryItem(tenantId, entry) };
}

export function timelineEntryDeleteOperation(tenantId: string, entry: Pick<TimelineEntry, 'customerId' | 'occurredAt' | 'id'>): TransactOperation {
  return { type: 'delete', key: interactionKeys.timeline(tenantId, entry.customerId, entry.occurredAt, entry.id) };
}
