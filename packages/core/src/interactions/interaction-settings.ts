import * as z from 'zod';
import type { TableStore } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { replaceVersionedSettings, type SettingsDeps } from '../settings/versioned-settings';
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
export async function putInteractionSettings(deps: SettingsDeps, ctx: RequestContext, input: InteractionSettingsInput, ifMatch: string | undefined): Promise<InteractionSettings> {
  const { tenantId } = ctx.principal;
  return replaceVersionedSettings(deps, ctx, {
    key: interactionKeys.settings(tenantId), entity: 'interaction-settings', resource: 'interaction-settings', what: 'interaction settings',
    load: () => loadInteractionSettings(deps.store, tenantId),
    values: { unknownIdentity: input.unknownIdentity },
  }, ifMatch);
}
