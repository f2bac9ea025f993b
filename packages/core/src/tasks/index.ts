export * from './task.schema';
export { taskKeys, taskIndexAttributes, taskTimers, TASK_ENTITY, TASK_REMINDER_TIMER, TASK_SK } from './task.keys';
export { toTaskItem, toTask, loadTask, canSeeTask, requireVisibleTask, TASK_RESOURCE, type TaskDeps } from './task.repository';
export { createTask, getTask, updateTask, completeTask, reopenTask, deleteTask, applyTaskPatch, type CreateTaskResult } from './task.use-cases';
export { listTasks } from './list-tasks.use-case';
export { remindTask, TASK_REMINDER_ACTOR, taskTimerHandlers } from './task-timers';
export { TASK_EVENT_DEFINITIONS, taskEventMappers } from './task-events';
