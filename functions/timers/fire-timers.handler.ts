import { fireDueTimers, TIMER_HANDLERS } from '@crm/core';
import { getContainer } from '@crm/runtime';

/**
 * Schedule (every minute): fires the timers due by now — task reminders, stale deals — through the
 * handler of each timer's kind (docs/adr/0021-timers.md). What a handler changes reaches partners
 * and the event bus through the change feed like any other write.
 */
export const handler = async (): Promise<{ fired: number; failed: number; dropped: number; complete: boolean }> => {
  const container = getContainer();
  const result = await fireDueTimers({ store: container.store, clock: container.clock, logger: container.logger }, TIMER_HANDLERS);
  if (result.fired + result.failed + result.dropped > 0) container.logger.info('timers fired', { ...result });
  return result;
};
