import { AppError } from '../errors';
import { assertIfMatchVersion } from '../shared/etag';
import type { TableStore } from '../ports/table-store.port';
import type { Clock } from '../ports/clock.port';
import { TransactionConflictError } from '../ports/table-store.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import { accessKeys } from './access.keys';
import { loadRoleDefinitions, type SecuredContext } from './access-policy';
import { BUILT_IN_ROLES, RoleName, type RoleDefinition, type RoleDefinitionInput } from './role-matrix';

/** The tenant's role matrix: every built-in role (default or overridden) and every custom role. */
export async function listRoles(deps: { store: TableStore }, ctx: SecuredContext): Promise<{ items: RoleDefinition[] }> {
  const roles = await loadRoleDefinitions(deps.store, ctx.principal.tenantId);
  const items = [...roles.entries()]
    .map(([name, def]) => ({ name, builtIn: (BUILT_IN_ROLES as readonly string[]).includes(name), ...def }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return { items };
}

/**
 * Creates or replaces a role's permissions, data scope and field rules. Optimistic locking: send
 * If-Match with the version you read ("0" for an untouched default). The admin role cannot lose
 * `*:*`, so a tenant can never lock itself out.
 */
export async function putRole(
  deps: { store: TableStore; clock: Clock; ids: IdGenerator },
  ctx: SecuredContext,
  name: string,
  input: RoleDefinitionInput,
  ifMatch: string | undefined,
): Promise<RoleDefinition> {
  if (!RoleName.safeParse(name).success) {
    throw new AppError('validation_failed', 'Invalid role name', { errors: [{ path: 'path.name', message: 'must be 2-40 of a-z 0-9 -' }] });
  }
  if (name === 'admin' && !input.permissions.includes('*:*')) {
    throw new AppError('conflict', 'The admin role must keep the permission *:* (lock-out protection)');
  }
  const roles = await loadRoleDefinitions(deps.store, ctx.principal.tenantId);
  const current = roles.get(name);
  const currentVersion = current?.version ?? 0;
  if (ifMatch !== undefined) assertIfMatchVersion(ifMatch, currentVersion, `Role ${name}`);
  const now = deps.clock.now().toISOString();
  const role: RoleDefinition = {
    name,
    builtIn: (BUILT_IN_ROLES as readonly string[]).includes(name),
    ...input,
    version: currentVersion + 1,
    updatedAt: now,
    updatedBy: ctx.principal.subject,
  };
  const before = current ? { permissions: current.permissions, dataScope: current.dataScope, fields: current.fields } : undefined;
  try {
    await deps.store.transact([
      {
        type: 'put',
        item: { ...accessKeys.role(ctx.principal.tenantId, name), entity: 'role', tenantId: ctx.principal.tenantId, ...role },
        condition: currentVersion === 0 ? { kind: 'notExists' } : { kind: 'equals', attribute: 'version', value: currentVersion },
      },
      // A permission change is audited with the whole before/after matrix row.
      auditPutOperation(auditEntryFrom(ctx, {
        action: 'roles:manage', resource: 'role', resourceId: name,
        changes: diffChanges(before, { permissions: role.permissions, dataScope: role.dataScope, fields: role.fields }),
      }, deps.clock, deps.ids)),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflictError) throw new AppError('precondition_failed', 'The role was changed concurrently; re-read it');
    throw error;
  }
  return role;
}
