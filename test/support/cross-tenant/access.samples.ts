import type { CrossTenantSample } from './sample';

/** Access-control id routes: another tenant's org unit or grant id must be 404. */
export const accessSamples: Record<string, CrossTenantSample> = {
  'get-org-unit': { target: 'org-unit' },
  'delete-org-unit': { target: 'org-unit' },
  'revoke-grant': { target: 'grant' },
};
