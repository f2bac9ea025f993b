import { AppError } from '../errors';
import type { Principal, RequestContext } from '../principal';
import type { TableStore } from '../ports/table-store.port';
import {
  broaderScope, DEFAULT_ROLES, moreAccess, permissionCovers,
  type DataScope, type FieldAccess, type Resource, type RoleDefinitionInput,
} from './role-matrix';
import { accessKeys } from './access.keys';

/**
 * What one caller may do, resolved once per request from the tenant's role matrix (stored
 * overrides, else defaults) and the caller's unexpired grants. Expired grants are invisible to the
 * store (TTL attribute), so a grant stops working at its end time without any job running.
 */
export interface AccessPolicy {
  principal: Principal;
  /** Permission patterns from roles and from unexpired permission grants. */
  permissions: string[];
  dataScope: DataScope;
  /** Effective access per field (most permissive across the caller's roles; unlisted = write). */
  fields: Partial<Record<Resource, Record<string, FieldAccess>>>;
  /** Records shared with the caller or its org unit: `<resource>:<id>`. */
  shares: Set<string>;
}

/** Client-credentials tokens carry no groups; integrations act as the `partner` role. */
export function effectiveRoles(principal: Principal): string[] {
  return principal.roles.length > 0 ? principal.roles : principal.kind === 'client' ? ['partner'] : [];
}

export async function loadRoleDefinitions(store: TableStore, tenantId: string): Promise<Map<string, RoleDefinitionInput & { version: number; updatedAt?: string; updatedBy?: string }>> {
  const page = await store.query({ partition: accessKeys.rolesPartition(tenantId), limit: 200, consistent: true });
  const roles = new Map<string, RoleDefinitionInput & { version: number; updatedAt?: string; updatedBy?: string }>();
  for (const [name, def] of Object.entries(DEFAULT_ROLES)) roles.set(name, { ...def, version: 0 });
  for (const item of page.items) {
    roles.set(item.name as string, {
      permissions: item.permissions as string[],
      dataScope: item.dataScope as DataScope,
      fields: (item.fields ?? {}) as RoleDefinitionInput['fields'],
      ...(item.description ? { description: item.description as string } : {}),
      version: item.version as number,
      updatedAt: item.updatedAt as string,
      updatedBy: item.updatedBy as string,
    });
  }
  return roles;
}

export type RoleDefinitions = Awaited<ReturnType<typeof loadRoleDefinitions>>;

/**
 * Resolves the caller's policy. `roles` lets the runtime pass a briefly cached copy of the tenant's
 * role matrix; grants are always read fresh, so expiry and revocation act at once.
 */
export async function loadAccessPolicy(store: TableStore, principal: Principal, roles?: (tenantId: string) => Promise<RoleDefinitions>): Promise<AccessPolicy> {
  const grantees = [accessKeys.granteeUser(principal.tenantId, principal.subject)];
  if (principal.orgPath) grantees.push(accessKeys.granteeUnit(principal.tenantId, principal.orgPath));
  const [roleDefs, ...grantPages] = await Promise.all([
    roles ? roles(principal.tenantId) : loadRoleDefinitions(store, principal.tenantId),
    ...grantees.map((partition) => store.query({ index: 'gsi1', partition, limit: 500 })),
  ]);

  const defs = effectiveRoles(principal).map((r) => roleDefs.get(r)).filter((d) => d !== undefined);
  const permissions = defs.flatMap((d) => d.permissions);
  let dataScope: DataScope = 'own';
  for (const d of defs) dataScope = broaderScope(dataScope, d.dataScope);

  const fields: AccessPolicy['fields'] = {};
  const resources = new Set(defs.flatMap((d) => Object.keys(d.fields)) as Resource[]);
  for (const resource of resources) {
    const paths = new Set(defs.flatMap((d) => Object.keys(d.fields[resource] ?? {})));
    const effective: Record<string, FieldAccess> = {};
    for (const path of paths) {
      effective[path] = defs.map((d) => d.fields[resource]?.[path] ?? 'write').reduce(moreAccess, 'hidden');
    }
    fields[resource] = effective;
  }

  const shares = new Set<string>();
  for (const page of grantPages) {
    for (const grant of page.items) {
      if (grant.kind === 'permission') permissions.push(grant.permission as string);
      else shares.add(`${grant.resource as string}:${grant.resourceId as string}`);
    }
  }
  return { principal, permissions, dataScope: defs.length ? dataScope : 'own', fields, shares };
}

export function can(policy: AccessPolicy, permission: string): boolean {
  return policy.permissions.some((granted) => permissionCovers(granted, permission));
}

/** Throws 403 `forbidden` naming the missing permission. */
export function assertCan(policy: AccessPolicy, permission: string): void {
  if (!can(policy, permission)) throw new AppError('forbidden', `This needs the permission ${permission}`, { permission });
}

/** Access to one field path (`phones`, `customFields.x`); a rule on `customFields` covers all custom fields. */
export function fieldAccess(policy: AccessPolicy, resource: Resource, path: string): FieldAccess {
  const rules = policy.fields[resource];
  if (!rules) return 'write';
  return rules[path] ?? (path.startsWith('customFields.') ? rules.customFields : undefined) ?? 'write';
}

/** The record without the fields hidden from this caller (top-level and custom fields). */
export function maskRecord<T extends Record<string, unknown>>(policy: AccessPolicy, resource: Resource, record: T): T {
  const rules = policy.fields[resource];
  if (!rules || Object.keys(rules).length === 0) return record;
  const out: Record<string, unknown> = { ...record };
  for (const key of Object.keys(out)) {
    if (key === 'customFields') continue;
    if (fieldAccess(policy, resource, key) === 'hidden') delete out[key];
  }
  if (out.customFields && typeof out.customFields === 'object') {
    if (fieldAccess(policy, resource, 'customFields') === 'hidden') delete out.customFields;
    else {
      const custom: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(out.customFields as Record<string, unknown>)) {
        if (fieldAccess(policy, resource, `customFields.${k}`) !== 'hidden') custom[k] = v;
      }
      out.customFields = custom;
    }
  }
  return out as T;
}

/**
 * Mass-assignment guard: every field the client sends must be writable for it. Read-only and hidden
 * fields answer 403 with each offending path.
 */
export function assertWritable(policy: AccessPolicy, resource: Resource, body: Record<string, unknown>): void {
  const errors: Array<{ path: string; message: string }> = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === 'customFields' && value && typeof value === 'object') {
      for (const custom of Object.keys(value)) {
        const access = fieldAccess(policy, resource, `customFields.${custom}`);
        if (access !== 'write') errors.push({ path: `body.customFields.${custom}`, message: `${access} field` });
      }
      continue;
    }
    const access = fieldAccess(policy, resource, key);
    if (access !== 'write') errors.push({ path: `body.${key}`, message: `${access} field` });
  }
  if (errors.length) throw new AppError('forbidden', `You may not set ${errors.map((e) => e.path).join(', ')}`, { errors });
}

/** A request context whose caller's access policy is resolved (what secured use cases receive). */
export interface SecuredContext extends RequestContext {
  access: AccessPolicy;
}
