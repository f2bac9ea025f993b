import type { ManifestEntry } from './manifest.types';

const CUSTOMERS_READ = ['crm/customers.read'];
const CUSTOMERS_WRITE = ['crm/customers.write'];

/**
 * Every HTTP route, stream consumer, event rule, schedule and identity trigger of the CRM.
 * Adding a use case = one handler under functions/ + one entry here; infra and the local server follow.
 */
export const manifest: readonly ManifestEntry[] = [
  // --- platform -----------------------------------------------------------------------------
  {
    kind: 'http', name: 'get-openapi', context: 'platform', method: 'GET', path: '/openapi.json',
    entry: 'functions/platform/get-openapi.handler.ts', auth: { type: 'public' }, table: 'none',
    assets: [{ from: 'dist/openapi.json', to: 'openapi.json' }],
    summary: 'The OpenAPI 3.1 document generated from the zod schemas',
  },
  {
    kind: 'http', name: 'get-docs', context: 'platform', method: 'GET', path: '/docs',
    entry: 'functions/platform/get-docs.handler.ts', auth: { type: 'public' }, table: 'none',
    summary: 'Swagger UI for the OpenAPI document',
  },
  {
    kind: 'http', name: 'get-docs-asset', context: 'platform', method: 'GET', path: '/docs/{asset}',
    entry: 'functions/platform/get-docs.handler.ts', auth: { type: 'public' }, table: 'none',
    assets: [
      { from: 'node_modules/swagger-ui-dist/swagger-ui.css', to: 'swagger-ui.css' },
      { from: 'node_modules/swagger-ui-dist/swagger-ui-bundle.js', to: 'swagger-ui-bundle.js' },
    ],
    summary: 'Static Swagger UI assets',
  },
  {
    kind: 'cognito-trigger', name: 'add-tenant-claims', context: 'platform', trigger: 'pre-token-generation',
    entry: 'functions/platform/add-tenant-claims.handler.ts', table: 'none',
    summary: 'Copies the immutable tenant and org attributes into access tokens',
  },
  // --- customers ----------------------------------------------------------------------------
  {
    kind: 'http', name: 'create-customer', context: 'customers', method: 'POST', path: '/v1/customers',
    entry: 'functions/customers/create-customer.handler.ts', table: 'read-write',
    auth: { type: 'jwt', scopes: CUSTOMERS_WRITE, permission: 'customers:create' },
    summary: 'Create a person or company',
  },
  {
    kind: 'http', name: 'list-customers', context: 'customers', method: 'GET', path: '/v1/customers',
    entry: 'functions/customers/list-customers.handler.ts', table: 'read',
    auth: { type: 'jwt', scopes: CUSTOMERS_READ, permission: 'customers:read' },
    summary: 'List customers (cursor pages; filter by tag, owner, kind, name prefix)',
  },
  {
    kind: 'http', name: 'get-customer', context: 'customers', method: 'GET', path: '/v1/customers/{id}',
    entry: 'functions/customers/get-customer.handler.ts', table: 'read',
    auth: { type: 'jwt', scopes: CUSTOMERS_READ, permission: 'customers:read' },
    summary: 'Get one customer',
  },
  {
    kind: 'http', name: 'update-customer', context: 'customers', method: 'PATCH', path: '/v1/customers/{id}',
    entry: 'functions/customers/update-customer.handler.ts', table: 'read-write',
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
    entry: 'functions/customers/restore-customer.handler.ts', table: 'read-write',
    auth: { type: 'jwt', scopes: CUSTOMERS_WRITE, permission: 'customers:delete' },
    summary: 'Restore a soft-deleted customer',
  },
];
