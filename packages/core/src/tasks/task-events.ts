import * as z from 'zod';
// Types only: event-catalogue.ts and change-record-events.ts import this module (a value import back would be a cycle).
import type { EventDefinition } from '../events/event-catalogue';
import type { ChangeRecord, Draft, EntityEventMapper } from '../events/change-record-events';
import { TASK_ENTITY } from './task.keys';
import { instant } from '../events/event-time';

/**
 * The task domain events: their contracts (registered in EVENT_DEFINITIONS) and the mapping of
 * changed task items to them (registered by entity in eventsFromChange). See docs/events.md.
 *
 * What they carry: ids, the assignee, due/reminder times and priority — what a notifier or an
 * analytics consumer needs to route and count. Never the title or the description: both are free
 * text a user types ("call back about the divorce settlement"), a role's field rules may hide them,
 * and events reach partners' webhooks unmasked. Consumers read the task through the API, where the
 * data domain and field masks apply.
 */

const RecordRef = z.string().min(1).max(128);
const At = z.iso.datetime();

const TaskSummary = {
  /** The task's id (also the envelope's subject id). */
  taskId: RecordRef,
  assigneeId: z.string(),
  dueAt: At,
  customerId: RecordRef.optional(),
  dealId: RecordRef.optional(),
};

export const TASK_EVENT_DEFINITIONS: EventDefinition[] = [
  {
    type: 'task.created', version: 1, subject: 'task',
    description: 'A task (follow-up) was created. No title or description: read the task through the API.',
    data: z.object({ ...TaskSummary, remindAt: At, priority: z.enum(['low', 'normal', 'high']), createdBy: z.string() }),
  },
  {
    type: 'task.completed', version: 1, subject: 'task',
    description: 'An open task was marked done.',
    data: z.object({ ...TaskSummary, completedBy: z.string() }),
  },
  {
    type: 'task.due', version: 1, subject: 'task',
    description: "A task's reminder time came while it was open (the reminder timer fired); once per reminder time.",
    data: z.object({ ...TaskSummary, remindAt: At }),
  },
];

/**
 * task INSERT → task.created; MODIFY → task.completed (status becomes done), task.due
 * (`remindedAt` appears: the reminder timer fired); REMOVE → nothing (deletes are audited).
 */
function taskEvents(record: ChangeRecord, next: Record<string, unknown>): Draft[] {
  if (record.eventName === 'REMOVE') return [];
  const draft = (type: string, occurredAt: unknown, data: Record<string, unknown>): Draft => ({
    type, version: 1, subjectType: 'task', occurredAt: instant(occurredAt, record), data: { ...summaryOf(next, record), ...data },
  });
  if (record.eventName === 'INSERT') {
    return [draft('task.created', next.createdAt, { remindAt: instant(next.remindAt, record), priority: next.priority, createdBy: String(next.createdBy ?? 'system') })];
  }
  const old = record.oldImage ?? {};
  const events: Draft[] = [];
  if (next.status === 'done' && old.status !== 'done') events.push(draft('task.completed', next.completedAt, { completedBy: String(next.completedBy ?? next.updatedBy ?? 'system') }));
  if (next.remindedAt && !old.remindedAt) events.push(draft('task.due', next.remindedAt, { remindAt: instant(next.remindAt, record) }));
  return events;
}

function summaryOf(t: Record<string, unknown>, record: ChangeRecord): Record<string, unknown> {
  return {
    taskId: t.id,
    assigneeId: String(t.assigneeId),
    dueAt: instant(t.dueAt, record),
    ...(typeof t.customerId === 'string' ? { customerId: t.customerId } : {}),
    ...(typeof t.dealId === 'string' ? { dealId: t.dealId } : {}),
  };
}

/** entity → the events one change of such an item publishes. */
export const taskEventMappers: Record<string, EntityEventMapper> = { [TASK_ENTITY]: taskEvents };
