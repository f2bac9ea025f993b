import type { TimerHandler } from '../timers/timer.types';

/** Timer kinds of deals → their handlers (registered in timers/timer-handlers.ts). */
export const dealTimerHandlers: Record<string, TimerHandler> = {};
