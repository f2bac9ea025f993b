import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

const route = (name: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, permission: string, table: 'read' | 'read-write', summary: string): ManifestEntry =>
  jwtRoute('trust', name, method, path, summary, { context: 'trust', table, scopes: SCOPES.admin, permission });

/** Trust: role matrix, org tree (data domains), expiring grants. */
export const accessEntries: ManifestEntry[] = [
  route('list-roles', 'GET', '/v1/roles', 'roles:read', 'read', 'The role matrix: permissions, data scope and field rules per role'),
  route('put-role', 'PUT', '/v1/roles/{name}', 'roles:manage', 'read-write', 'Create or replace a role (If-Match with the version read)'),
  route('create-org-unit', 'POST', '/v1/org-units', 'org-units:manage', 'read-write', 'Add an org unit (HQ → region → branch → team)'),
  route('list-org-units', 'GET', '/v1/org-units', 'org-units:read', 'read', 'The org tree in path order'),
  route('get-org-unit', 'GET', '/v1/org-units/{id}', 'org-units:read', 'read', 'One org unit'),
  route('delete-org-unit', 'DELETE', '/v1/org-units/{id}', 'org-units:manage', 'read-write', 'Remove a leaf org unit'),
  route('create-grant', 'POST', '/v1/grants', 'grants:manage', 'read-write', 'Grant a user or unit a permission or a record share until a time'),
  route('list-grants', 'GET', '/v1/grants', 'grants:read', 'read', 'Unexpired grants, newest first'),
  route('revoke-grant', 'DELETE', '/v1/grants/{id}', 'grants:manage', 'read-write', 'Revoke a grant before it ends'),
];
