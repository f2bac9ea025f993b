import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

const read = { context: 'customers', table: 'read', scopes: SCOPES.customersRead, permission: 'customers:read', fieldEncryption: true } as const;
const write = (permission: string) => ({ context: 'customers', table: 'read-write', scopes: SCOPES.customersWrite, permission, fieldEncryption: true }) as const;

/** Customers: companies and contacts. */
export const customerEntries: ManifestEntry[] = [
  jwtRoute('customers', 'create-customer', 'POST', '/v1/customers', 'Create a person or company', write('customers:create')),
  jwtRoute('customers', 'list-customers', 'GET', '/v1/customers', 'List customers (cursor pages; filter by tag, owner, kind, name prefix)', read),
  jwtRoute('customers', 'get-customer', 'GET', '/v1/customers/{id}', 'Get one customer', read),
  jwtRoute('customers', 'update-customer', 'PATCH', '/v1/customers/{id}', 'Update a customer (JSON merge patch, If-Match required)', write('customers:update')),
  // Delete only moves the record to the trash: it never opens sealed fields.
  jwtRoute('customers', 'delete-customer', 'DELETE', '/v1/customers/{id}', 'Soft-delete a customer (restorable)',
    { context: 'customers', table: 'read-write', scopes: SCOPES.customersWrite, permission: 'customers:delete' }),
  jwtRoute('customers', 'restore-customer', 'POST', '/v1/customers/{id}/restore', 'Restore a soft-deleted customer', write('customers:delete')),
  jwtRoute('customers', 'claim-customer', 'POST', '/v1/customers/{id}/claim', 'Claim a customer from the public pool (one winner; others 409)', write('customers:claim')),
  jwtRoute('customers', 'release-customer', 'POST', '/v1/customers/{id}/release', 'Return a customer to the public pool', write('customers:claim')),
  {
    kind: 'stream', name: 'return-expired-claims', context: 'customers', entry: 'functions/customers/return-expired-claims.handler.ts', entities: ['claim-lease'],
    table: 'read-write', batchSize: 100, maxBatchingWindowSeconds: 5,
    summary: 'Returns claimed customers to the public pool when their protection period (TTL lease) ends',
  },
];
