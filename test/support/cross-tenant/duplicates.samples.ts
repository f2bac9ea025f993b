import type { CrossTenantSample } from './sample';

/** Requests tenant B (and another team) send at tenant A's records for each data-quality id route. */
export const duplicateSamples: Record<string, CrossTenantSample> = {
  'list-customer-duplicates': {},
  'get-merge': { target: 'merge' },
  'undo-merge': { target: 'merge' },
  'get-duplicate-scan': { target: 'duplicate-scan' },
  'list-duplicate-groups': { target: 'duplicate-scan' },
};
