import type { CrossTenantSample } from './sample';

/** Requests tenant B (and another team) send at tenant A's records for each archive id route. */
export const archiveSamples: Record<string, CrossTenantSample> = {
  // Tenant B names tenant A's customer: 404, nothing restored from A's archive.
  'rehydrate-customer': {},
};
