import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

/**
 * Compliance (issue 4 installs word lists from templates; CRUD and matching follow): sensitive-word
 * lists `{ name, words, action: block | mask | flag }` per tenant.
 */
export const complianceEntries: ManifestEntry[] = [
  jwtRoute('compliance', 'list-word-lists', 'GET', '/v1/compliance/word-lists', "The tenant's sensitive-word lists (admins, managers)",
    { context: 'trust', table: 'read', scopes: SCOPES.customersRead, permission: 'compliance:read' }),
];
