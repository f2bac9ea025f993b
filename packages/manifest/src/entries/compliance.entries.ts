import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

/**
 * Compliance (issue 4 installs word lists from templates; issue 5 adds CRUD and Aho–Corasick screening): sensitive-word
 * lists `{ name, words, action: block | mask | flag }` per tenant.
 */
export const complianceEntries: ManifestEntry[] = [
  jwtRoute('compliance', 'list-word-lists', 'GET', '/v1/compliance/word-lists', "The tenant's sensitive-word lists (admins, managers)",
    { context: 'trust', table: 'read', scopes: SCOPES.customersRead, permission: 'compliance:read' }),
  jwtRoute('compliance', 'put-word-list', 'PUT', '/v1/compliance/word-lists/{name}', 'Creates or replaces a sensitive-word list (If-Match when it exists; audited)',
    { context: 'trust', table: 'read-write', scopes: SCOPES.admin, permission: 'compliance:manage' }),
  jwtRoute('compliance', 'delete-word-list', 'DELETE', '/v1/compliance/word-lists/{name}', 'Deletes a sensitive-word list (audited)',
    { context: 'trust', table: 'read-write', scopes: SCOPES.admin, permission: 'compliance:manage' }),
];
