import { ConditionFailedError } from '../ports/table-store.port';
import type { TimerHandler } from '../timers/timer.types';
import { DEAL_ENTITY, DEAL_STALE_TIMER, toDeal } from './deal.repository';

/**
 * `deal-stale`: the deal overstayed its stage's SLA. Acts only if the deal still carries this very
 * timer (a stage change since then set a new one or none) and is live and open; then, in one write
 * conditional on the version read, flags it `stale: true, staleSince: <due>` and drops the timer.
 * The change feed publishes deal.stale from that MODIFY — once per stage visit, since the next
 * stage change clears the flag and sets a fresh timer. A lost race (the deal changed meanwhile)
 * is ignored: the new version carries its own timer.
 */
export const flagStaleDeal: TimerHandler = async ({ store, clock }, timer) => {
  if (!timer.key.pk.startsWith(`T#${timer.tenantId}#`)) return;
  const item = await store.get(timer.key, { consistent: true });
  if (!item || item.entity !== DEAL_ENTITY || item.tenantId !== timer.tenantId) return;
  const timers = (item.timers ?? {}) as Record<string, string>;
  if (timers[timer.kind] !== timer.dueAt) return;
  const deal = toDeal(item);
  const { [timer.kind]: _fired, ...remaining } = timers;
  const { timers: _all, ...rest } = item;
  const applies = !deal.deletedAt && !deal.outcome && !deal.stale;
  const next = {
    ...rest,
    ...(applies ? { stale: true, staleSince: timer.dueAt } : {}),
    version: deal.version + 1,
    updatedAt: clock.now().toISOString(),
    updatedBy: 'system:deal-stale',
    ...(Object.keys(remaining).length ? { timers: remaining } : {}),
  };
  try {
    await store.put(next, { condition: { kind: 'equals', attribute: 'version', value: deal.version } });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
};

/** Timer kinds of deals → their handlers (registered in timers/timer-handlers.ts). */
export const dealTimerHandlers: Record<string, TimerHandler> = { [DEAL_STALE_TIMER]: flagStaleDeal };
