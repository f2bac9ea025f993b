import * as z from 'zod';
import type { Item, TableStore } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { replaceVersionedSettings, type SettingsDeps } from '../settings/versioned-settings';
import { interactionKeys } from './interaction.keys';

/**
 * Object Lock retention (days, GOVERNANCE) of call recordings while a tenant has not chosen one:
 * the recordings bucket's default retention (infra/stacks/stateful.stack.ts uses this constant).
 */
export const DEFAULT_RECORDING_RETENTION_DAYS = 365;
/** Longest per-tenant recording retention (10 years). */
export const MAX_RECORDING_RETENTION_DAYS = 3650;

/**
 * Per-tenant ingestion settings: what happens to an interaction whose identity matches no customer,
 * and how long call recordings are locked. One item per tenant (`T#<t>#SETTINGS` / `INTERACTIONS`),
 * versioned, replaced as a whole with If-Match, audited.
 */
export const InteractionSettingsInput = z.strictObject({
  /** create-lead (default): a person customer tagged `lead`; park: kept aside under `T#t#PARKED`. */
  unknownIdentity: z.enum(['create-lead', 'park']),
  /**
   * Days a new call recording is locked (Object Lock GOVERNANCE: no delete, no overwrite) from its
   * upload request; omitted = the bucket default (365). Applies to recordings requested afterwards.
   */
  recordingRetentionDays: z.number().int().min(1).max(MAX_RECORDING_RETENTION_DAYS).optional(),
});
export type InteractionSettingsInput = z.infer<typeof InteractionSettingsInput>;

export const InteractionSettings = InteractionSettingsInput.extend({
  /** The retention in effect (the default when the tenant has not chosen one). */
  recordingRetentionDays: z.number().int(),
  version: z.number().int().nonnegative(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
}).meta({ id: 'InteractionSettings' });
export type InteractionSettings = z.infer<typeof InteractionSettings>;

export const DEFAULT_INTERACTION_SETTINGS: InteractionSettings = {
  unknownIdentity: 'create-lead', recordingRetentionDays: DEFAULT_RECORDING_RETENTION_DAYS, version: 0, updatedAt: null, updatedBy: null,
};

export async function loadInteractionSettings(store: TableStore, tenantId: string, options: { consistent?: boolean } = {}): Promise<InteractionSettings> {
  return fromItem(await store.get(interactionKeys.settings(tenantId), { consistent: options.consistent ?? true }));
}

function fromItem(item: Item | undefined): InteractionSettings {
  if (!item) return { ...DEFAULT_INTERACTION_SETTINGS };
  return {
    unknownIdentity: item.unknownIdentity as InteractionSettings['unknownIdentity'],
    // Null (or absent) while the tenant has not chosen one: a later change of the default applies to it.
    recordingRetentionDays: (item.recordingRetentionDays as number | null | undefined) ?? DEFAULT_RECORDING_RETENTION_DAYS,
    version: item.version as number,
    updatedAt: item.updatedAt as string,
    updatedBy: item.updatedBy as string,
  };
}

/**
 * Replaces the settings under optimistic locking (`"0"` or `*` while the defaults apply). A PUT
 * without `recordingRetentionDays` stores null (= the default), so the audit diff shows a chosen
 * retention going back to the default.
 */
export async function putInteractionSettings(deps: SettingsDeps, ctx: RequestContext, input: InteractionSettingsInput, ifMatch: string | undefined): Promise<InteractionSettings> {
  const { tenantId } = ctx.principal;
  const saved = await replaceVersionedSettings(deps, ctx, {
    key: interactionKeys.settings(tenantId), entity: 'interaction-settings', resource: 'interaction-settings', what: 'interaction settings',
    // As stored (null = not chosen), so the audit diff compares stored values.
    load: async () => {
      const item = await deps.store.get(interactionKeys.settings(tenantId), { consistent: true });
      return { ...fromItem(item), recordingRetentionDays: (item?.recordingRetentionDays as number | null | undefined) ?? null };
    },
    values: { unknownIdentity: input.unknownIdentity, recordingRetentionDays: input.recordingRetentionDays ?? null },
  }, ifMatch);
  return { ...saved, recordingRetentionDays: saved.recordingRetentionDays ?? DEFAULT_RECORDING_RETENTION_DAYS };
}
