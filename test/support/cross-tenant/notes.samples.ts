import type { CrossTenantSample } from './sample';

/** Requests tenant B (and another team) send at tenant A's records for each notes id route. */
export const noteSamples: Record<string, CrossTenantSample> = {
  'create-customer-note': { body: { body: '<p>Intruder</p>' } },
  'list-customer-notes': { query: '?limit=10' },
  'create-deal-note': { target: 'deal', body: { body: '<p>Intruder</p>' } },
  'list-deal-notes': { target: 'deal', query: '?limit=10' },
  'get-note': { target: 'note' },
  'update-note': { target: 'note', body: { body: 'Overwritten' }, headers: { 'if-match': '*' } },
  'delete-note': { target: 'note' },
};
