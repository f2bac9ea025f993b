import type { ManifestEntry } from '../manifest.types';

const CUSTOMERS_READ = ['crm/customers.read'];
const CUSTOMERS_WRITE = ['crm/customers.write'];

/** Customers: companies and contacts. */
export const customerEntries: ManifestEntry[] = [
  {
    kind: 'http', name: 'create-customer', context: 'customers', method: 'POST', path: '/v1/customers',
    entry: 'functions/customers/create-customer.handler.ts', fieldEncryption: true, table: 'read-write',
    auth: { type: 'jwt', scopes: CUSTOMERS_WRITE, permission: 'customers:create' },
    summary: 'Create a person or company',
  },
  {
    kind: 'http', name: 'list-customers', context: 'customers', method: 'GET', path: '/v1/customers',
    entry: 'functions/customers/list-customers.handler.ts', fieldEncryption: true, table: 'read',
    auth: { type: 'jwt', scopes: CUSTOMERS_READ, permission: 'customers:read' },
    summary: 'List customers (cursor pages; filter by tag, owner, kind, name prefix)',
  },
  {
    kind: 'http', name: 'get-customer', context: 'customers', method: 'GET', path: '/v1/customers/{id}',
    entry: 'functions/customers/get-customer.handler.ts', fieldEncryption: true, table: 'read',
    auth: { type: 'jwt', scopes: CUSTOMERS_READ, permission: 'customers:read' },
    summary: 'Get one customer',
  },
  {
    kind: 'http', name: 'update-customer', context: 'customers', method: 'PATCH', path: '/v1/customers/{id}',
    entry: 'functions/customers/update-customer.handler.ts', fieldEncryption: true, table: 'read-write',
    auth: { type: 'jwt', scopes: CUSTOMERS_WRITE, permission: 'customers:update' },
    summary: 'Update a customer (JSON merge patch, If-Match required)',
  },
  {
    kind: 'http', name: 'delete-customer', context: 'customers', method: 'DELETE', path: '/v1/customers/{id}',
    entry: 'functions/customers/delete-customer.handler.ts', table: 'read-write',
    auth: { type: 'jwt', scopes: CUSTOMERS_WRITE, permission: 'customers:delete' },
    summary: 'Soft-delete a customer (restorable)',
  },
  {
    kind: 'http', name: 'restore-customer', context: 'customers', method: 'POST', path: '/v1/customers/{id}/restore',
    entry: 'functions/customers/restore-customer.handler.ts', fieldEncryption: true, table: 'read-write',
    auth: { type: 'jwt', scopes: CUSTOMERS_WRITE, permission: 'customers:delete' },
    summary: 'Restore a soft-deleted customer',
  },
  {
    kind: 'http', name: 'claim-customer', context: 'customers', method: 'POST', path: '/v1/customers/{id}/claim',
    entry: 'functions/customers/claim-customer.handler.ts', fieldEncryption: true, table: 'read-write',
    auth: { type: 'jwt', scopes: CUSTOMERS_WRITE, permission: 'customers:claim' },
    summary: 'Claim a customer from the public pool (one winner; others 409)',
  },
  {
    kind: 'http', name: 'release-customer', context: 'customers', method: 'POST', path: '/v1/customers/{id}/release',
    entry: 'functions/customers/release-customer.handler.ts', fieldEncryption: true, table: 'read-write',
    auth: { type: 'jwt', scopes: CUSTOMERS_WRITE, permission: 'customers:claim' },
    summary: 'Return a customer to the public pool',
  },
  {
    kind: 'stream', name: 'return-expired-claims', context: 'customers', entry: 'functions/customers/return-expired-claims.handler.ts',
    table: 'read-write', batchSize: 100, maxBatchingWindowSeconds: 5,
    summary: 'Returns claimed customers to the public pool when their protection period (TTL lease) ends',
  },
];
