import type { CrossTenantSample } from './sample';

/** Requests tenant B sends at tenant A's record for each customers id route. */
export const customerSamples: Record<string, CrossTenantSample> = {
  'get-customer': {},
  'update-customer': { body: { name: 'Hijacked' }, headers: { 'if-match': '"1"' } },
  'delete-customer': {},
  'restore-customer': {},
  'claim-customer': {},
  'release-customer': {},
};
