import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

const transfers = (permission: string, table: 'read' | 'read-write', scopes: readonly string[]) =>
  ({ context: 'customers' as const, table, scopes, permission, buckets: ['imports' as const] });

/**
 * Bulk transfer of customers: CSV imports and exports run as background jobs (docs/adr/0014-background-jobs.md).
 * Clients move the bytes through presigned URLs of the imports bucket; the `run-jobs` stream
 * consumer does the work one bounded chunk per change of the job item.
 */
export const importEntries: ManifestEntry[] = [
  jwtRoute('customers', 'create-import', 'POST', '/v1/imports', 'Create a CSV import of customers and get its upload URL',
    transfers('customers:import', 'read-write', SCOPES.customersWrite)),
  jwtRoute('customers', 'start-import', 'POST', '/v1/imports/{id}/start', 'Start an uploaded import (runs in the background)',
    transfers('customers:import', 'read-write', SCOPES.customersWrite)),
  jwtRoute('customers', 'get-import', 'GET', '/v1/imports/{id}', 'Progress, counts and error report of an import',
    transfers('customers:import', 'read', SCOPES.customersRead)),
  jwtRoute('customers', 'list-imports', 'GET', '/v1/imports', 'The caller\'s imports, newest first',
    { context: 'customers', table: 'read', scopes: SCOPES.customersRead, permission: 'customers:import' }),
  jwtRoute('customers', 'create-export', 'POST', '/v1/exports', 'Export the customers the caller may see as CSV (background job, audited)',
    { context: 'customers', table: 'read-write', scopes: SCOPES.customersRead, permission: 'customers:export' }),
  jwtRoute('customers', 'get-export', 'GET', '/v1/exports/{id}', 'Status of an export and, when done, its download URL',
    transfers('customers:export', 'read', SCOPES.customersRead)),
  {
    kind: 'stream', name: 'run-jobs', context: 'customers', entry: 'functions/customers/run-jobs.handler.ts', entities: ['job'],
    table: 'read-write', batchSize: 10, maxBatchingWindowSeconds: 1, buckets: ['imports'], fieldEncryption: true,
    // One chunk works for at most 60 s; the rest is headroom for the checkpoint write and a slow start.
    timeoutSeconds: 120, memoryMb: 1024,
    summary: 'Runs background jobs (imports, exports) one checkpointed chunk per change of the job item',
  },
];
