export * from './timer.types';
export { TIMER_HANDLERS } from './timer-handlers';
export { dueIndexOperations, fireDueTimers, timerKeys, type SweepResult } from './timers';
