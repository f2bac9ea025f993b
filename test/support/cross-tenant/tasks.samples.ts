import type { CrossTenantSample } from './sample';

/** Requests tenant B (and another team) send at tenant A's task for each tasks id route. */
export const taskSamples: Record<string, CrossTenantSample> = {
  'get-task': { target: 'task' },
  'update-task': { target: 'task', body: { title: 'Hijacked' }, headers: { 'if-match': '"1"' } },
  'complete-task': { target: 'task' },
  'reopen-task': { target: 'task' },
  'delete-task': { target: 'task' },
};
