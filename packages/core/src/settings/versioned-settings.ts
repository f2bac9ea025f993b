import { AppError } from '../errors';
import { assertIfMatchVersion } from '../shared/etag';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type ItemKey, type TableStore } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';

/** The version stamp of a per-tenant settings item (version 0 = the defaults, nothing stored). */
export interface VersionStamp {
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface SettingsDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * Replaces a per-tenant settings item under optimistic locking (If-Match of the version read;
 * `"0"` or `*` while the defaults apply), with its audit record in the same transaction. A
 * concurrent change answers 412.
 */
export async function replaceVersionedSettings<V extends Record<string, unknown>>(
  deps: SettingsDeps,
  ctx: RequestContext,
  spec: { key: ItemKey; entity: string; resource: string; what: string; load: () => Promise<V & VersionStamp>; values: V },
  ifMatch: string | undefined,
): Promise<V & VersionStamp> {
  if (!ifMatch) throw new AppError('precondition_required', 'Send the ETag you read as If-Match');
  const current = await spec.load();
  assertIfMatchVersion(ifMatch, current.version, `The ${spec.what}`);
  const next = { ...spec.values, version: current.version + 1, updatedAt: deps.clock.now().toISOString(), updatedBy: ctx.principal.subject };
  const before = Object.fromEntries(Object.keys(spec.values).map((k) => [k, current[k]]));
  try {
    await deps.store.transact([
      {
        type: 'put', item: { ...spec.key, entity: spec.entity, tenantId: ctx.principal.tenantId, ...next },
        condition: current.version === 0 ? { kind: 'notExists' } : { kind: 'equals', attribute: 'version', value: current.version },
      },
      auditPutOperation(auditEntryFrom(ctx, { action: 'settings:manage', resource: spec.resource, changes: diffChanges(before, spec.values) }, deps.clock, deps.ids)),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflictError && error.failedIndexes.includes(0)) {
      throw new AppError('precondition_failed', `The ${spec.what} were changed concurrently; re-read them and retry`);
    }
    throw error;
  }
  return next;
}
