import * as z from 'zod';

/**
 * The role matrix: roles × permissions (`<resource>:<action>`), a data scope per role and field
 * rules per role. These defaults apply until a tenant admin overrides a role through /v1/roles.
 */
export const BUILT_IN_ROLES = ['admin', 'manager', 'sales', 'service', 'analyst', 'auditor', 'partner'] as const;
export const RESOURCES = [
  'customers', 'interactions', 'deals', 'tasks', 'notes', 'orders', 'analytics', 'audit',
  'roles', 'org-units', 'grants', 'settings', 'webhooks', 'fields', 'templates', 'compliance',
] as const;
export const ACTIONS = ['read', 'create', 'update', 'delete', 'export', 'import', 'merge', 'manage', 'claim'] as const;

export type Resource = (typeof RESOURCES)[number];
export type Action = (typeof ACTIONS)[number];

/** `customers:read`, or with wildcards `customers:*`, `*:read`, `*:*`. */
export const Permission = z.string().regex(
  new RegExp(`^(\\*|${RESOURCES.join('|')}):(\\*|${ACTIONS.join('|')})$`),
  'must be <resource>:<action> (wildcard * allowed)',
);

/** Which records a role sees: the whole tenant, its org subtree (+ shares), or only its own (+ shares). */
export const DATA_SCOPES = ['tenant', 'subtree', 'own'] as const;
export type DataScope = (typeof DATA_SCOPES)[number];

export const FIELD_ACCESS = ['hidden', 'read', 'write'] as const;
export type FieldAccess = (typeof FIELD_ACCESS)[number];

/** Field path: a standard field (`phones`) or a custom one (`customFields.nationalId`). */
export const FieldPath = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9_]*)?$/, 'must be a field or customFields.<key>');

export const RoleName = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'must be 2-40 of a-z 0-9 - starting with a letter');

export const RoleDefinitionInput = z.strictObject({
  permissions: z.array(Permission).max(200),
  dataScope: z.enum(DATA_SCOPES),
  /** Per resource, per field: hidden, read (read-only) or write. Unlisted fields are writable. */
  fields: z.partialRecord(z.enum(RESOURCES), z.record(FieldPath, z.enum(FIELD_ACCESS))).default({}),
  description: z.string().max(500).optional(),
});
export type RoleDefinitionInput = z.infer<typeof RoleDefinitionInput>;

export const RoleDefinition = RoleDefinitionInput.extend({
  name: z.string(),
  builtIn: z.boolean(),
  /** 0 for an untouched default, then the stored version. */
  version: z.number().int().nonnegative(),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
});
export type RoleDefinition = z.infer<typeof RoleDefinition>;

const BUSINESS = ['customers', 'interactions', 'deals', 'tasks', 'notes', 'orders'] as const;
const all = (resources: readonly string[], actions: readonly string[]) => resources.flatMap((r) => actions.map((a) => `${r}:${a}`));

export const DEFAULT_ROLES: Record<(typeof BUILT_IN_ROLES)[number], RoleDefinitionInput> = {
  admin: { permissions: ['*:*'], dataScope: 'tenant', fields: {}, description: 'Everything in the tenant' },
  manager: {
    permissions: [...all(BUSINESS, ['read', 'create', 'update', 'delete', 'export', 'merge', 'claim']), 'customers:import', 'analytics:read', 'org-units:read', 'roles:read', 'fields:read', 'templates:read', 'compliance:read'],
    dataScope: 'subtree', fields: {}, description: 'Runs a team or region: everything in its org subtree',
  },
  sales: {
    permissions: ['customers:read', 'customers:create', 'customers:update', 'customers:claim', ...all(['interactions', 'deals', 'tasks', 'notes', 'orders'], ['read', 'create', 'update']), 'org-units:read', 'fields:read', 'templates:read'],
    dataScope: 'subtree', fields: {}, description: 'Sales rep: own org subtree, the public pool, shares',
  },
  service: {
    permissions: ['customers:read', 'customers:update', ...all(['interactions', 'tasks', 'notes'], ['read', 'create', 'update']), 'org-units:read', 'fields:read', 'templates:read'],
    dataScope: 'subtree', fields: { customers: { ownerId: 'read', tags: 'read' } }, description: 'Customer service',
  },
  analyst: {
    permissions: [...all(BUSINESS, ['read']), 'customers:export', 'analytics:read', 'analytics:create', 'org-units:read', 'fields:read', 'templates:read'],
    dataScope: 'tenant',
    fields: { customers: { phones: 'hidden', emails: 'hidden', address: 'hidden' } },
    description: 'Analytics without contact details',
  },
  auditor: {
    permissions: ['audit:read', 'customers:read', 'roles:read', 'grants:read', 'org-units:read', 'fields:read', 'templates:read'],
    dataScope: 'tenant', fields: {}, description: 'Read-only compliance access, including the audit log',
  },
  partner: {
    permissions: ['customers:read', 'customers:create', 'customers:update', 'interactions:read', 'interactions:create', 'fields:read', 'templates:read'],
    dataScope: 'tenant', fields: {}, description: 'Integrations (client-credentials tokens)',
  },
};

/** Whether a granted permission pattern covers a required permission. */
export function permissionCovers(granted: string, required: string): boolean {
  const [gr, ga] = granted.split(':');
  const [rr, ra] = required.split(':');
  return (gr === '*' || gr === rr) && (ga === '*' || ga === ra);
}

const SCOPE_RANK: Record<DataScope, number> = { own: 0, subtree: 1, tenant: 2 };
const FIELD_RANK: Record<FieldAccess, number> = { hidden: 0, read: 1, write: 2 };

export function broaderScope(a: DataScope, b: DataScope): DataScope {
  return SCOPE_RANK[a] >= SCOPE_RANK[b] ? a : b;
}

export function moreAccess(a: FieldAccess, b: FieldAccess): FieldAccess {
  return FIELD_RANK[a] >= FIELD_RANK[b] ? a : b;
}
