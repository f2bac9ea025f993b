import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

/**
 * Hot/cold archive (issue 7, ADR 0034): timeline items whose TTL (the tenant's
 * `interactionArchiveAfterDays`) ran out are archived by the stream consumer into the lake's
 * `archive/timeline/` prefix; the timeline continues into them and rehydration brings them back.
 */
export const archiveEntries: ManifestEntry[] = [
  {
    kind: 'stream', name: 'archive-expired', context: 'analytics', entry: 'functions/analytics/archive-expired.handler.ts',
    // ARCHIVED_ENTITIES in @crm/core; only TTL REMOVE records (service principal) are archived.
    entities: ['interaction', 'timeline-entry'],
    table: 'read-write', buckets: ['archive'], batchSize: 500, maxBatchingWindowSeconds: 30,
    summary: 'Archives timeline items removed by TTL (old images) to the lake archive prefix, with a ledger for reconciliation',
  },
  jwtRoute('interactions', 'rehydrate-customer', 'POST', '/v1/customers/{id}/rehydrate', "Put a customer's archived timeline back into the live table (counts; audited)",
    { context: 'interactions', table: 'read-write', scopes: SCOPES.customersWrite, permission: 'customers:update', buckets: ['archive'] }),
];
