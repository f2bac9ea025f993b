import { AppError } from '../errors';
import { assertIfMatchVersion } from '../shared/etag';
import type { Clock } from '../ports/clock.port';
import { TransactionConflictError, type TableStore } from '../ports/table-store.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import type { Principal, RequestContext } from '../principal';
import {
  loadSecuritySettings,
  toSecuritySettings,
  toSecuritySettingsItem,
  type LoadedSecuritySettings,
  type SecuritySettings,
  type SecuritySettingsInput,
} from './security-settings';

export interface SecuritySettingsDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * Only a tenant's admins read or change its security settings. Interim rule (the admin role);
 * the one place to swap for the role matrix's `settings:manage` permission.
 */
export function assertSecurityAdmin(principal: Principal): void {
  if (principal.kind !== 'user' || !principal.roles.includes('admin')) {
    throw new AppError('forbidden', 'Only a tenant admin may read or change security settings');
  }
}

/** Strong entity tag of a settings version (`"0"` for the defaults). */
export function securitySettingsEtag(version: number): string {
  return `"${version}"`;
}

/** The caller's tenant settings (defaults, version 0, when nothing is stored). */
export async function getSecuritySettings(deps: Pick<SecuritySettingsDeps, 'store'>, ctx: RequestContext): Promise<SecuritySettings> {
  assertSecurityAdmin(ctx.principal);
  return toSecuritySettings(await loadSecuritySettings(deps.store, ctx.principal.tenantId));
}

/**
 * Replaces the list of sensitive fields under optimistic locking (If-Match of the version read;
 * `"0"` or `*` when nothing is stored yet). Taking a field off the list keeps it in the internal
 * history so values sealed earlier remain readable.
 */
export async function putSecuritySettings(
  deps: SecuritySettingsDeps,
  ctx: RequestContext,
  input: SecuritySettingsInput,
  ifMatch: string | undefined,
): Promise<SecuritySettings> {
  assertSecurityAdmin(ctx.principal);
  if (!ifMatch) throw new AppError('precondition_required', 'Send the ETag you read as If-Match');
  const { tenantId } = ctx.principal;
  const current = await loadSecuritySettings(deps.store, tenantId);
  assertIfMatchVersion(ifMatch, current.version, 'The security settings');

  const next: LoadedSecuritySettings = {
    sensitiveFields: input.sensitiveFields,
    decryptFields: [...new Set([...current.decryptFields, ...input.sensitiveFields])].sort(),
    version: current.version + 1,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: ctx.principal.subject,
  };
  try {
    await deps.store.transact([
      {
        type: 'put',
        item: toSecuritySettingsItem(tenantId, next),
        condition: current.version === 0 ? { kind: 'notExists' } : { kind: 'equals', attribute: 'version', value: current.version },
      },
      // A change of what is encrypted is a security-relevant change: audited with the change itself.
      auditPutOperation(auditEntryFrom(ctx, {
        action: 'settings:manage', resource: 'security-settings',
        changes: diffChanges({ sensitiveFields: current.sensitiveFields }, { sensitiveFields: next.sensitiveFields }),
      }, deps.clock, deps.ids)),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflictError && error.failedIndexes.includes(0)) {
      const now = await loadSecuritySettings(deps.store, tenantId);
      throw new AppError('precondition_failed', 'The security settings were changed concurrently; re-read them and retry', {
        currentEtag: securitySettingsEtag(now.version),
      });
    }
    throw error;
  }
  return toSecuritySettings(next);
}
