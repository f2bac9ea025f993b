import type { CrossTenantSample } from './sample';

/** Requests tenant B (and another team) send at tenant A's records for each interactions id route. */
export const interactionSamples: Record<string, CrossTenantSample> = {
  'get-customer-timeline': { query: '?limit=10' },
  'request-recording-upload': { target: 'interaction', body: { contentType: 'audio/mpeg', sizeBytes: 1024, contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==' } },
  'complete-recording': { target: 'interaction' },
  'get-recording': { target: 'interaction' },
  // Tenant B names tenant A's parked id (with a customer id that exists nowhere): 404 for the parked id first.
  'assign-parked-interaction': { target: 'parked-interaction', body: { customerId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' } },
  'discard-parked-interaction': { target: 'parked-interaction' },
};
