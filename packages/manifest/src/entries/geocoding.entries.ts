import type { ManifestEntry } from '../manifest.types';

/** Geocoding: coordinates added to customer addresses after their write (never in the request path). */
export const geocodingEntries: ManifestEntry[] = [
  {
    kind: 'stream', name: 'geocode-customer', context: 'customers', entry: 'functions/customers/geocode-customer.handler.ts', entities: ['customer'],
    table: 'read-write', batchSize: 25, maxBatchingWindowSeconds: 5, placeIndex: true,
    summary: 'Geocodes new or changed customer addresses (timeout, circuit breaker) and stores address.location on them',
  },
];
