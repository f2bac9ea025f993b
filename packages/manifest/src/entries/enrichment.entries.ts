import type { ManifestEntry } from '../manifest.types';

/** Enrichment: registry data added to customers after their write (never in the request path). */
export const enrichmentEntries: ManifestEntry[] = [
  {
    kind: 'stream', name: 'enrich-company', context: 'customers', entry: 'functions/customers/enrich-company.handler.ts', entities: ['customer'],
    table: 'read-write', batchSize: 25, maxBatchingWindowSeconds: 5,
    summary: 'Looks new company customers up in the business registry (cached, budgeted, circuit-broken) and stores the result on them',
  },
];
