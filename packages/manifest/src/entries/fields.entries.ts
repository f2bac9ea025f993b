import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

const manage = { context: 'customers', table: 'read-write', scopes: SCOPES.admin, permission: 'fields:manage' } as const;

/** Custom-field registry (issue 4): definitions per object type; values live in each record. */
export const fieldEntries: ManifestEntry[] = [
  jwtRoute('fields', 'list-fields', 'GET', '/v1/fields', 'Custom-field definitions of an object type (active and removed)',
    { context: 'customers', table: 'read', scopes: SCOPES.customersRead, permission: 'fields:read' }),
  jwtRoute('fields', 'put-field', 'PUT', '/v1/fields/{objectType}/{key}', 'Define or change a custom field (If-Match when it exists); never rewrites records', manage),
  jwtRoute('fields', 'remove-field', 'DELETE', '/v1/fields/{objectType}/{key}', 'Remove a custom field: values are hidden, not deleted (put it again to restore)', manage),
  {
    kind: 'stream', name: 'build-field-index', context: 'customers', entry: 'functions/fields/build-field-index.handler.ts', entities: ['field-definition'],
    table: 'read-write', batchSize: 10, timeoutSeconds: 120,
    summary: 'Backfills the index items of a custom field that became filterable or unique over existing records (chunked, checkpointed on the definition)',
  },
];
