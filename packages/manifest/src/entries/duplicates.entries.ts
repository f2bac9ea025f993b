import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

const merge = (table: 'read' | 'read-write') => ({ context: 'customers', table, scopes: table === 'read' ? SCOPES.customersRead : SCOPES.customersWrite, permission: 'customers:merge', fieldEncryption: true }) as const;

/**
 * Data quality: duplicate candidates, reversible merges and the tenant's data-quality settings
 * (duplicate policy, default phone region). Duplicate checks on create/update live in the customer
 * routes themselves.
 */
export const duplicateEntries: ManifestEntry[] = [
  jwtRoute('duplicates', 'list-customer-duplicates', 'GET', '/v1/customers/{id}/duplicates', 'Existing customers this one resembles (scored, with the matched values)',
    { context: 'customers', table: 'read', scopes: SCOPES.customersRead, permission: 'customers:read', fieldEncryption: true }),
  jwtRoute('duplicates', 'merge-customers', 'POST', '/v1/customers/merge', 'Merge customers into a survivor (per-field choices or a rule; reversible)', merge('read-write')),
  jwtRoute('duplicates', 'get-merge', 'GET', '/v1/merges/{id}', 'Get a merge (status, survivor, merged ids)', merge('read')),
  jwtRoute('duplicates', 'undo-merge', 'POST', '/v1/merges/{id}/undo', 'Undo a merge: every record back as it was, contacts and index entries included', merge('read-write')),
  jwtRoute('duplicates', 'start-duplicate-scan', 'POST', '/v1/duplicates/scan', "Scan the caller's customers for duplicate groups (background job)", merge('read-write')),
  jwtRoute('duplicates', 'get-duplicate-scan', 'GET', '/v1/duplicates/scan/{id}', 'Progress and result of a duplicate scan', merge('read')),
  jwtRoute('duplicates', 'list-duplicate-groups', 'GET', '/v1/duplicates/scan/{id}/groups', 'Duplicate groups a scan found (cursor pages)', merge('read')),
  jwtRoute('duplicates', 'get-customer-settings', 'GET', '/v1/settings/customers', "Get the tenant's data-quality settings (duplicate policy, default phone region)",
    { context: 'customers', table: 'read', scopes: SCOPES.admin, permission: 'settings:read' }),
  jwtRoute('duplicates', 'put-customer-settings', 'PUT', '/v1/settings/customers', "Replace the tenant's data-quality settings (If-Match required; admins)",
    { context: 'customers', table: 'read-write', scopes: SCOPES.admin, permission: 'settings:manage' }),
  {
    kind: 'stream', name: 'complete-merges', context: 'customers', entry: 'functions/duplicates/complete-merges.handler.ts', entities: ['customer-merge'],
    table: 'read-write', batchSize: 10, maxBatchingWindowSeconds: 1,
    summary: 'Finishes a merge or undo whose request stopped before moving index items and contacts',
  },
];
