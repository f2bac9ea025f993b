import type { ManifestEntry } from '../manifest.types';

/** Industry templates (issue 4): custom fields, tags and sensitive fields per line of business. */
export const templateEntries: ManifestEntry[] = [
  {
    kind: 'http', name: 'list-templates', context: 'customers', method: 'GET', path: '/v1/templates',
    entry: 'functions/templates/list-templates.handler.ts', table: 'none',
    auth: { type: 'jwt', scopes: ['crm/customers.read'], permission: 'templates:read' },
    summary: 'Installable industry templates',
  },
  {
    kind: 'http', name: 'install-template', context: 'customers', method: 'POST', path: '/v1/templates/{name}/install',
    entry: 'functions/templates/install-template.handler.ts', table: 'read-write',
    auth: { type: 'jwt', scopes: ['crm/admin'], permission: 'templates:manage' },
    summary: 'Install a template into the tenant (idempotent)',
  },
];
