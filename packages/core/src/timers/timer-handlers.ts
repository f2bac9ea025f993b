import { dealTimerHandlers } from '../deals/deal-timers';
import { taskTimerHandlers } from '../tasks/task-timers';
import type { TimerHandler } from './timer.types';

/** Every timer kind → its handler. */
export const TIMER_HANDLERS: Record<string, TimerHandler> = { ...taskTimerHandlers, ...dealTimerHandlers };
