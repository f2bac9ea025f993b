import type { ManifestEntry } from '../manifest.types';

/** Custom-field registry (issue 4): definitions per object type; values live in each record. */
export const fieldEntries: ManifestEntry[] = [
  {
    kind: 'http', name: 'list-fields', context: 'customers', method: 'GET', path: '/v1/fields',
    entry: 'functions/fields/list-fields.handler.ts', table: 'read',
    auth: { type: 'jwt', scopes: ['crm/customers.read'], permission: 'fields:read' },
    summary: 'Custom-field definitions of an object type (active and removed)',
  },
  {
    kind: 'http', name: 'put-field', context: 'customers', method: 'PUT', path: '/v1/fields/{objectType}/{key}',
    entry: 'functions/fields/put-field.handler.ts', table: 'read-write',
    auth: { type: 'jwt', scopes: ['crm/admin'], permission: 'fields:manage' },
    summary: 'Define or change a custom field (If-Match when it exists); never rewrites records',
  },
  {
    kind: 'http', name: 'remove-field', context: 'customers', method: 'DELETE', path: '/v1/fields/{objectType}/{key}',
    entry: 'functions/fields/remove-field.handler.ts', table: 'read-write',
    auth: { type: 'jwt', scopes: ['crm/admin'], permission: 'fields:manage' },
    summary: 'Remove a custom field: values are hidden, not deleted (put it again to restore)',
  },
];
