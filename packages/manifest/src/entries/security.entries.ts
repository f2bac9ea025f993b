import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

const settings = (table: 'read' | 'read-write') => ({ context: 'trust', table, scopes: SCOPES.admin, permission: 'settings:manage', fieldEncryption: true }) as const;

/**
 * Trust: per-tenant security settings (which fields are sealed with envelope encryption).
 * `fieldEncryption` grants the field-encryption KMS key (GenerateDataKey/Decrypt, encryption context
 * required).
 */
export const securityEntries: ManifestEntry[] = [
  jwtRoute('trust', 'get-security-settings', 'GET', '/v1/settings/security', "Get the tenant's security settings (sensitive fields; admins)", settings('read')),
  jwtRoute('trust', 'put-security-settings', 'PUT', '/v1/settings/security', "Replace the tenant's list of sensitive (encrypted) fields (If-Match required; admins)", settings('read-write')),
];
