import * as z from 'zod';
import { AppError } from '../errors';
import { assertIfMatchVersion } from '../shared/etag';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type Item, type TableStore } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import { interactionKeys } from './interaction.keys';

/**
 * Per-tenant ingestion settings: what happens to an interaction whose identity matches no customer.
 * One item per tenant (`T#<t>#SETTINGS` / `INTERACTIONS`), versioned, changed with If-Match, audited.
 */
export const InteractionSettingsInput = z.strictObject({
  /** create-lead (default): a person customer tagged `lead`; park: kept aside under `T#t#PARKED`. */
  unknownIdentity: z.enum(['create-lead', 'park']),
});
export type InteractionSettingsInput = z.infer<typeof InteractionSettingsInput>;

export const InteractionSettings = InteractionSettingsInput.extend({
  version: z.number().int().nonnegative(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
}).meta({ id: 'InteractionSettings' });
export type InteractionSettings = z.infer<typeof InteractionSettings>;

export const DEFAULT_INTERACTION_SETTINGS: InteractionSettings = { unknownIdentity: 'create-lead', version: 0, updatedAt: null, updatedBy: null };

export async function loadInteractionSettings(store: TableStore, tenantId: string, options: { consistent?: boolean } = {}): Promise<InteractionSettings> {
  const item = await store.get(interactionKeys.settings(tenantId), { consistent: options.consistent ?? true });
  if (!item) return { ...DEFAULT_INTERACTION_SETTINGS };
  return {
    unknownIdentity: item.unknownIdentity as InteractionSettings['unknownIdentity'],
    version: item.version as number,
    updatedAt: item.updatedAt as string,
    updatedBy: item.updatedBy as string,
  };
}

/** Replaces the settings under optimistic locking (`"0"` or `*` while the defaults apply). */
export async function putInteractionSettings(
  deps: { store: TableStore; clock: Clock; ids: IdGenerator },
  ctx: RequestContext,
  input: InteractionSettingsInput,
  ifMatch: string | undefined,
): Promise<InteractionSettings> {
  if (!ifMatch) throw new AppError('precondition_required', 'Send the ETag you read as If-Match');
  const { tenantId } = ctx.principal;
  const current = await loadInteractionSettings(deps.store, tenantId);
  assertIfMatchVersion(ifMatch, current.version, 'The interaction settings');
  const next: InteractionSettings = {
    unknownIdentity: input.unknownIdentity,
    version: current.version + 1,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: ctx.principal.subject,
  };
  const item: Item = { ...interactionKeys.settings(tenantId), entity: 'interaction-settings', tenantId, ...next };
  try {
    await deps.store.transact([
      { type: 'put', item, condition: current.version === 0 ? { kind: 'notExists' } : { kind: 'equals', attribute: 'version', value: current.version } },
      auditPutOperation(auditEntryFrom(ctx, {
        action: 'settings:manage', resource: 'interaction-settings',
        changes: diffChanges({ unknownIdentity: current.unknownIdentity }, { unknownIdentity: next.unknownIdentity }),
      }, deps.clock, deps.ids)),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflictError && error.failedIndexes.includes(0)) {
      throw new AppError('precondition_failed', 'The interaction settings were changed concurrently; re-read them and retry');
    }
    throw error;
  }
  return next;
}
