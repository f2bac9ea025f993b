import type { CrossTenantSample } from './sample';

/** Requests tenant B (and another team) send at tenant A's records for each interactions id route. */
export const interactionSamples: Record<string, CrossTenantSample> = {
  'get-customer-timeline': { query: '?limit=10' },
};
