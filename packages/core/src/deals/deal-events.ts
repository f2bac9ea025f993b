import * as z from 'zod';
import type { EventDefinition } from '../events/event-catalogue';
import type { ChangeRecord, Draft, EntityEventMapper } from '../events/change-record-events';
import { instant } from '../events/event-time';

/**
 * The deal domain events: their contracts (registered in EVENT_DEFINITIONS) and the mapping of
 * changed deal items to them (registered by entity in eventsFromChange). See docs/events.md.
 *
 * Deal events carry the sales facts analytics need (pipeline, stages, amount, currency, time in
 * stage) and ids; never customer contact data or custom-field values.
 */
const RecordRef = z.string().min(1).max(128);
const Amount = z.number().nonnegative().nullable().describe('Deal amount in major units, null when not set');
const Currency = z.string().regex(/^[A-Z]{3}$/);
const Version = z.number().int().positive();

const DealFacts = {
  pipelineId: RecordRef,
  amount: Amount,
  currency: Currency,
  ownerId: z.string(),
  orgPath: z.string(),
  customerId: RecordRef,
  version: Version,
};

const Close = z.object({
  ...DealFacts,
  stage: z.string(),
  /** Why it was won or lost, as the user wrote it (≤ 500 characters). */
  reason: z.string(),
  /** Time from creation to close. */
  cycleMs: z.number().int().nonnegative(),
  closedBy: z.string(),
});

export const DEAL_EVENT_DEFINITIONS: EventDefinition[] = [
  {
    type: 'deal.created', version: 1, subject: 'deal',
    description: 'A deal was created in an open stage of a pipeline.',
    data: z.object({ ...DealFacts, stage: z.string(), expectedCloseDate: z.string().optional(), createdBy: z.string() }),
  },
  {
    type: 'deal.stage-changed', version: 1, subject: 'deal',
    description: 'A deal moved to another stage (published with deal.won / deal.lost when it entered a terminal stage).',
    data: z.object({
      ...DealFacts,
      from: z.string(),
      to: z.string(),
      /** Time the deal spent in `from`. */
      durationMs: z.number().int().nonnegative(),
      outcome: z.enum(['won', 'lost']).optional(),
      changedBy: z.string(),
    }),
  },
  { type: 'deal.won', version: 1, subject: 'deal', description: 'A deal entered its pipeline\'s won stage.', data: Close },
  { type: 'deal.lost', version: 1, subject: 'deal', description: 'A deal entered its pipeline\'s lost stage.', data: Close },
  {
    type: 'deal.stale', version: 1, subject: 'deal',
    description: 'A deal stayed in an open stage longer than the stage SLA (once per stage visit; set by the deal-stale timer).',
    data: z.object({ ...DealFacts, stage: z.string(), stageEnteredAt: z.iso.datetime(), staleSince: z.iso.datetime() }),
  },
  {
    type: 'deal.deleted', version: 1, subject: 'deal',
    description: 'A deal was deleted (soft delete: it leaves lists, boards and counters).',
    data: z.object({ ...DealFacts, stage: z.string(), deletedBy: z.string() }),
  },
];

function facts(d: Record<string, unknown>): Record<string, unknown> {
  return {
    pipelineId: d.pipelineId, amount: typeof d.amount === 'number' ? d.amount : null, currency: d.currency,
    ownerId: d.ownerId, orgPath: d.orgPath ?? '/', customerId: d.customerId, version: d.version,
  };
}

function dealEvents(record: ChangeRecord, next: Record<string, unknown>): Draft[] {
  const draft = (type: string, at: unknown, data: Record<string, unknown>): Draft => ({ type, version: 1, subjectType: 'deal', occurredAt: instant(at, record), data });
  if (record.eventName === 'REMOVE') return [];
  if (record.eventName === 'INSERT') {
    return [draft('deal.created', next.createdAt, {
      ...facts(next), stage: next.stage, ...(typeof next.expectedCloseDate === 'string' ? { expectedCloseDate: next.expectedCloseDate } : {}), createdBy: String(next.createdBy ?? 'system'),
    })];
  }
  const old = record.oldImage ?? {};
  if (next.deletedAt && !old.deletedAt) return [draft('deal.deleted', next.deletedAt, { ...facts(next), stage: next.stage, deletedBy: String(next.deletedBy ?? 'system') })];
  if (next.deletedAt) return [];
  const events: Draft[] = [];
  if (next.stage !== old.stage || next.stageEnteredAt !== old.stageEnteredAt) {
    const durationMs = Math.max(0, Date.parse(String(next.stageEnteredAt)) - Date.parse(String(old.stageEnteredAt)) || 0);
    const by = String(next.updatedBy ?? 'system');
    const outcome = next.outcome === 'won' || next.outcome === 'lost' ? next.outcome : undefined;
    events.push(draft('deal.stage-changed', next.stageEnteredAt, {
      ...facts(next), from: String(old.stage), to: String(next.stage), durationMs, ...(outcome ? { outcome } : {}), changedBy: by,
    }));
    if (outcome) {
      const cycleMs = Math.max(0, Date.parse(String(next.closedAt ?? next.stageEnteredAt)) - Date.parse(String(next.createdAt)) || 0);
      events.push(draft(`deal.${outcome}`, next.closedAt ?? next.stageEnteredAt, {
        ...facts(next), stage: next.stage, reason: String(next.closeReason ?? ''), cycleMs, closedBy: by,
      }));
    }
  }
  if (typeof next.staleSince === 'string' && next.stale === true && next.staleSince !== old.staleSince) {
    events.push(draft('deal.stale', next.updatedAt, { ...facts(next), stage: next.stage, stageEnteredAt: instant(next.stageEnteredAt, record), staleSince: instant(next.staleSince, record) }));
  }
  return events;
}

/** entity → the events one change of such an item publishes. */
export const dealEventMappers: Record<string, EntityEventMapper> = { deal: dealEvents };
