import type { TimerHandler } from '../timers/timer.types';

/** Timer kinds of tasks → their handlers (registered in timers/timer-handlers.ts). */
export const taskTimerHandlers: Record<string, TimerHandler> = {};
