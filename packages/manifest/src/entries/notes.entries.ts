import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

const read = { context: 'sales', table: 'read', scopes: SCOPES.customersRead, permission: 'notes:read' } as const;
const write = (permission: 'notes:create' | 'notes:update' | 'notes:delete') => ({ context: 'sales', table: 'read-write', scopes: SCOPES.customersWrite, permission }) as const;

/**
 * Notes (issue 6): sanitised rich text with user mentions, on customers and deals, each shown in
 * the customer's timeline (`crm` channel, type `note`).
 */
export const noteEntries: ManifestEntry[] = [
  jwtRoute('sales', 'create-customer-note', 'POST', '/v1/customers/{id}/notes', 'Write a note on a customer (HTML sanitised; mentions read from the markup; joins the timeline)', write('notes:create')),
  jwtRoute('sales', 'list-customer-notes', 'GET', '/v1/customers/{id}/notes', "A customer's notes (its deals' notes included), newest first (cursor pages)", read),
  jwtRoute('sales', 'create-deal-note', 'POST', '/v1/deals/{id}/notes', "Write a note on a deal (it joins the deal's customer's timeline)", write('notes:create')),
  jwtRoute('sales', 'list-deal-notes', 'GET', '/v1/deals/{id}/notes', "A deal's notes, newest first (cursor pages)", read),
  jwtRoute('sales', 'get-note', 'GET', '/v1/notes/{id}', 'Get a note (ETag)', read),
  jwtRoute('sales', 'update-note', 'PATCH', '/v1/notes/{id}', 'Replace a note body (If-Match required; the timeline excerpt follows)', write('notes:update')),
  jwtRoute('sales', 'delete-note', 'DELETE', '/v1/notes/{id}', 'Delete a note and its timeline entry (audited with the before-image)', write('notes:delete')),
];
