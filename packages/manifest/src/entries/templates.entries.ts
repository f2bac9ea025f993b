import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

/** Industry templates (issue 4): custom fields, tags and sensitive fields per line of business. */
export const templateEntries: ManifestEntry[] = [
  jwtRoute('templates', 'list-templates', 'GET', '/v1/templates', 'Installable industry templates',
    { context: 'customers', table: 'none', scopes: SCOPES.customersRead, permission: 'templates:read' }),
  jwtRoute('templates', 'install-template', 'POST', '/v1/templates/{name}/install', 'Install a template into the tenant (idempotent)',
    { context: 'customers', table: 'read-write', scopes: SCOPES.admin, permission: 'templates:manage' }),
];
