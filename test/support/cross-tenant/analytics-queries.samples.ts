import type { CrossTenantSample } from './sample';

/** Requests another tenant sends at tenant A's analytics query (queries belong to the tenant, not to a team). */
export const analyticsQuerySamples: Record<string, CrossTenantSample> = {
  'get-analytics-query': { target: 'analytics-query' },
};
