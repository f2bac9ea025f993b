import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

// Writes may create a lead customer (createCustomer seals its sensitive fields): field encryption.
const write = { context: 'interactions', table: 'read-write', scopes: SCOPES.customersWrite, permission: 'interactions:create', fieldEncryption: true } as const;

/** Interactions: ingestion from every channel, identity resolution, the customer timeline. */
export const interactionEntries: ManifestEntry[] = [
  jwtRoute('interactions', 'record-interaction', 'POST', '/v1/interactions', 'Record one interaction (customer by id or by phone/email/external id)', write),
  jwtRoute('interactions', 'record-interactions-batch', 'POST', '/v1/interactions/batch', 'Record up to 500 interactions (a result per item; retries write nothing twice)', write),
  jwtRoute('interactions', 'get-customer-timeline', 'GET', '/v1/customers/{id}/timeline', "A customer's interactions, newest first, all channels merged (cursor pages; channel/type/from/to filters)",
    // The lake bucket: the timeline continues into the archived history (archive/timeline/…).
    { context: 'interactions', table: 'read', scopes: SCOPES.customersRead, permission: 'interactions:read', buckets: ['archive'] }),
  jwtRoute('interactions', 'list-parked-interactions', 'GET', '/v1/interactions/parked', 'Interactions parked for an unknown identity (policy park), newest first (cursor pages)',
    { context: 'interactions', table: 'read', scopes: SCOPES.customersRead, permission: 'interactions:read' }),
  jwtRoute('interactions', 'assign-parked-interaction', 'POST', '/v1/interactions/parked/{id}/assign', 'Assign a parked interaction to a customer (it joins their timeline with the same id)',
    { context: 'interactions', table: 'read-write', scopes: SCOPES.customersWrite, permission: 'interactions:create' }),
  jwtRoute('interactions', 'discard-parked-interaction', 'DELETE', '/v1/interactions/parked/{id}', 'Discard a parked interaction (audited)',
    { context: 'interactions', table: 'read-write', scopes: SCOPES.customersWrite, permission: 'interactions:delete' }),
  jwtRoute('interactions', 'get-interaction-settings', 'GET', '/v1/settings/interactions', "Get the tenant's ingestion settings (unknown-identity policy)",
    { context: 'interactions', table: 'read', scopes: SCOPES.admin, permission: 'settings:read' }),
  jwtRoute('interactions', 'put-interaction-settings', 'PUT', '/v1/settings/interactions', "Replace the tenant's ingestion settings (If-Match required; admins)",
    { context: 'interactions', table: 'read-write', scopes: SCOPES.admin, permission: 'settings:manage' }),
];
