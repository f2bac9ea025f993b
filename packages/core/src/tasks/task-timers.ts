import { createHash } from 'node:crypto';
import { auditEntryFrom, auditPutOperation } from '../audit/audit-entry';
import { systemContext } from '../principal';
import { TransactionConflictError } from '../ports/table-store.port';
import type { DueTimer, TimerDeps, TimerHandler } from '../timers/timer.types';
import { TASK_ENTITY, TASK_REMINDER_TIMER } from './task.keys';
import { TASK_RESOURCE, toTask, toTaskItem } from './task.repository';
import type { Task } from './task.schema';

/** Who the reminder write is recorded as (updatedBy, audit actor). */
export const TASK_REMINDER_ACTOR = 'system:task-reminder';
const ATTEMPTS = 3;

/**
 * The `task-reminder` timer fired. Re-reads the task and acts only when it is an open task of the
 * timer's tenant whose pending reminder is still this one (a moved, cleared or already fired
 * reminder is ignored). Then, in one write conditional on the version read, it records
 * `remindedAt`, drops the timer (taskTimers derives none once reminded) and bumps the version — a
 * client's later write with an older ETag must not bring the reminder back. The change feed
 * publishes `task.due` from that MODIFY (task-events.ts). A concurrent edit makes it re-read.
 */
export async function remindTask(deps: TimerDeps, timer: DueTimer): Promise<void> {
  if (!timer.key.pk.startsWith(`T#${timer.tenantId}#`)) return;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const item = await deps.store.get(timer.key, { consistent: true });
    if (!item || item.entity !== TASK_ENTITY || item.tenantId !== timer.tenantId) return;
    const timers = item.timers as Record<string, unknown> | undefined;
    if (timers?.[timer.kind] !== timer.dueAt || item.status !== 'open' || item.remindedAt) return;
    const current = toTask(item);
    const now = deps.clock.now();
    const reminded: Task = { ...current, remindedAt: now.toISOString(), version: current.version + 1, updatedAt: now.toISOString(), updatedBy: TASK_REMINDER_ACTOR };
    const ctx = systemContext(timer.tenantId, TASK_REMINDER_ACTOR);
    // The timer's identity seeds the audit id: a retried firing writes the same record id.
    const ids = { next: () => auditId(now, `${timer.tenantId}\n${timer.key.pk}\n${timer.kind}\n${timer.dueAt}\n${current.version}`) };
    try {
      await deps.store.transact([
        { type: 'put', item: toTaskItem(timer.tenantId, reminded), condition: { kind: 'equals', attribute: 'version', value: current.version } },
        auditPutOperation(auditEntryFrom(ctx, {
          action: 'tasks:remind', resource: TASK_RESOURCE, resourceId: current.id,
          changes: [{ field: 'remindedAt', after: reminded.remindedAt }], detail: { remindAt: timer.dueAt },
        }, deps.clock, ids)),
      ]);
      return;
    } catch (error) {
      if (!(error instanceof TransactionConflictError)) throw error;
    }
  }
  throw new Error(`Task reminder ${timer.key.pk}: the task kept changing; the next sweep retries`);
}


const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-shaped id: 48-bit time of `at`, then 80 bits of SHA-256(seed) (deterministic per seed and time). */
export function auditId(at: Date, seed: string): string {
  let time = at.getTime();
  let head = '';
  for (let i = 0; i < 10; i += 1) {
    head = CROCKFORD[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const digest = createHash('sha256').update(seed).digest();
  let tail = '';
  for (let i = 0; i < 16; i += 1) tail += CROCKFORD[digest[i]! % 32];
  return head + tail;
}

/** Timer kinds of tasks → their handlers (registered in timers/timer-handlers.ts). */
export const taskTimerHandlers: Record<string, TimerHandler> = { [TASK_REMINDER_TIMER]: remindTask };
