import type { ManifestEntry } from '../manifest.types';
import { REPORT_SQL_ASSETS } from './analytics-queries.entries';
import { jwtRoute, SCOPES } from './route-builder';

/**
 * Hot/cold archive (issue 7, ADR 0034): timeline items whose TTL (the tenant's
 * `interactionArchiveAfterDays`) ran out are archived by the stream consumer into the lake's
 * `archive/timeline/` prefix; the timeline continues into them and rehydration brings them back.
 * Customers inactive for the tenant's `customerArchiveAfterDays` are archived daily into a stub
 * (full profile under `archive/customers/`, timeline via the TTL path); rehydration restores both.
 */
export const archiveEntries: ManifestEntry[] = [
  {
    kind: 'stream', name: 'archive-expired', context: 'analytics', entry: 'functions/analytics/archive-expired.handler.ts',
    // ARCHIVED_ENTITIES in @crm/core; only TTL REMOVE records (service principal) are archived.
    entities: ['interaction', 'timeline-entry'],
    table: 'read-write', buckets: ['archive'], batchSize: 500, maxBatchingWindowSeconds: 30,
    summary: 'Archives timeline items removed by TTL (old images) to the lake archive prefix, with a ledger for reconciliation',
  },
  {
    kind: 'schedule', name: 'archive-inactive-customers', context: 'analytics', entry: 'functions/analytics/archive-inactive-customers.handler.ts', rateMinutes: 1440,
    // Lake query (candidates; the tenants are listed from the lake bucket), the table (verify, stub
    // swap, timeline TTL) and the customer-archive prefix (profile files; no access to archived
    // timelines). No lake write, no field key: profiles are archived as stored, sealed fields sealed.
    table: 'read-write', analytics: 'query', buckets: ['customer-archive'], memoryMb: 1024, timeoutSeconds: 900, assets: REPORT_SQL_ASSETS,
    summary: "Daily: archives customers inactive for the tenant's customerArchiveAfterDays into a stub (profile to the archive, timeline by TTL)",
  },
  jwtRoute('interactions', 'rehydrate-customer', 'POST', '/v1/customers/{id}/rehydrate', "Put a customer's archived profile (archive stub) and timeline back into the live table (counts; audited)",
    { context: 'interactions', table: 'read-write', scopes: SCOPES.customersWrite, permission: 'customers:update', buckets: ['archive', 'customer-archive'] }),
];
