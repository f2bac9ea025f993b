import type { ManifestEntry } from '../manifest.types';

const ADMIN = ['crm/admin'];

/**
 * Trust: per-tenant security settings (which fields are sealed with envelope encryption).
 * `fieldEncryption` grants the field-encryption KMS key (GenerateDataKey/Decrypt, encryption context
 * required); the customer routes get it too once they seal/open sensitive fields.
 */
export const securityEntries: ManifestEntry[] = [
  {
    kind: 'http', name: 'get-security-settings', context: 'trust', method: 'GET', path: '/v1/settings/security',
    entry: 'functions/trust/get-security-settings.handler.ts', table: 'read', fieldEncryption: true,
    auth: { type: 'jwt', scopes: ADMIN, permission: 'settings:manage' },
    summary: "Get the tenant's security settings (sensitive fields; admins)",
  },
  {
    kind: 'http', name: 'put-security-settings', context: 'trust', method: 'PUT', path: '/v1/settings/security',
    entry: 'functions/trust/put-security-settings.handler.ts', table: 'read-write', fieldEncryption: true,
    auth: { type: 'jwt', scopes: ADMIN, permission: 'settings:manage' },
    summary: "Replace the tenant's list of sensitive (encrypted) fields (If-Match required; admins)",
  },
];
