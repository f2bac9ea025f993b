import * as z from 'zod';
import { KEY_ATTRIBUTES, type Item, type TableStore } from '../ports/table-store.port';
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
/** Bounds of `interactionArchiveAfterDays` (a month to 10 years). */
export const MIN_INTERACTION_ARCHIVE_DAYS = 30;
export const MAX_INTERACTION_ARCHIVE_DAYS = 3650;
/** Bounds of `customerArchiveAfterDays` (a year to 10 years). */
export const MIN_CUSTOMER_ARCHIVE_DAYS = 365;
export const MAX_CUSTOMER_ARCHIVE_DAYS = 3650;

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
  /**
   * Days after `occurredAt` an interaction moves from the live table to the archive (its timeline
   * item and locator get a TTL; the archiver keeps the TTL-removed images under the lake's archive
   * prefix, and the timeline continues into them). Omitted = never. Set at ingestion: a change
   * applies to interactions recorded afterwards, never to those already stored.
   */
  interactionArchiveAfterDays: z.number().int().min(MIN_INTERACTION_ARCHIVE_DAYS).max(MAX_INTERACTION_ARCHIVE_DAYS).optional(),
  /**
   * Days without activity (profile change, interaction, order, note, deal change) after which the
   * daily `archive-inactive-customers` job archives a customer: its full profile goes to the
   * archive, a stub stays in the table, its timeline follows the interactions' archive path, and
   * `POST /v1/customers/{id}/rehydrate` brings it all back (ADR 0034). Omitted = never (opt-in).
   */
  customerArchiveAfterDays: z.number().int().min(MIN_CUSTOMER_ARCHIVE_DAYS).max(MAX_CUSTOMER_ARCHIVE_DAYS).optional(),
});
export type InteractionSettingsInput = z.infer<typeof InteractionSettingsInput>;

export const InteractionSettings = InteractionSettingsInput.extend({
  /** The retention in effect (the default when the tenant has not chosen one). */
  recordingRetentionDays: z.number().int(),
  /** Null while interactions are never archived. */
  interactionArchiveAfterDays: z.number().int().nullable(),
  /** Null while customers are never archived. */
  customerArchiveAfterDays: z.number().int().nullable(),
  version: z.number().int().nonnegative(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
}).meta({ id: 'InteractionSettings' });
export type InteractionSettings = z.infer<typeof InteractionSettings>;

export const DEFAULT_INTERACTION_SETTINGS: InteractionSettings = {
  unknownIdentity: 'create-lead', recordingRetentionDays: DEFAULT_RECORDING_RETENTION_DAYS, interactionArchiveAfterDays: null, customerArchiveAfterDays: null, version: 0, updatedAt: null, updatedBy: null,
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
    interactionArchiveAfterDays: (item.interactionArchiveAfterDays as number | null | undefined) ?? null,
    customerArchiveAfterDays: (item.customerArchiveAfterDays as number | null | undefined) ?? null,
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
    values: {
      unknownIdentity: input.unknownIdentity, recordingRetentionDays: input.recordingRetentionDays ?? null,
      interactionArchiveAfterDays: input.interactionArchiveAfterDays ?? null,
      customerArchiveAfterDays: input.customerArchiveAfterDays ?? null,
    },
  }, ifMatch);
  return { ...saved, recordingRetentionDays: saved.recordingRetentionDays ?? DEFAULT_RECORDING_RETENTION_DAYS };
}

/**
 * The TTL attribute of an interaction's timeline item and locator under the tenant's archive
 * setting: `occurredAt` + the days, in epoch seconds (already past for an old interaction, which is
 * then hidden at once and archived by the next TTL run). Empty while the tenant never archives.
 */
export function archiveExpiryOf(settings: Pick<InteractionSettings, 'interactionArchiveAfterDays'>, occurredAt: string): { [KEY_ATTRIBUTES.ttl]?: number } {
  const days = settings.interactionArchiveAfterDays;
  if (days === null || days === undefined) return {};
  return { [KEY_ATTRIBUTES.ttl]: Math.floor(Date.parse(occurredAt) / 1000) + days * 86_400 };
}
