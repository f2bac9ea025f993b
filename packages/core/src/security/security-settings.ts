import * as z from 'zod';
import type { Item, ItemKey, TableStore } from '../ports/table-store.port';
import { SensitiveFieldPath } from './sensitive-fields';

/**
 * Per-tenant security settings: which customer fields are sensitive (encrypted at the application
 * level). One item per tenant, `T#<tenant>#SETTINGS` / `SECURITY`, versioned like every record.
 */

/**
 * Fields that cannot be sealed: they feed keys and indexes (name, kind, tags, owner, company), the
 * record's identity and versioning, or are containers whose keys are sealed one by one.
 */
export const NON_SEALABLE_FIELDS = [
  'id', 'kind', 'name', 'tags', 'ownerId', 'companyId', 'customFields',
  'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'deletedAt', 'deletedBy',
] as const;

export const MAX_SENSITIVE_FIELDS = 100;

export const SecuritySettingsInput = z.strictObject({
  sensitiveFields: z
    .array(
      SensitiveFieldPath.refine((path) => !(NON_SEALABLE_FIELDS as readonly string[]).includes(path), {
        message: `cannot be sensitive (used for keys, indexes or versioning): ${NON_SEALABLE_FIELDS.join(', ')}`,
      }),
    )
    .max(MAX_SENSITIVE_FIELDS)
    .transform((paths) => [...new Set(paths)].sort()),
});
export type SecuritySettingsInput = z.infer<typeof SecuritySettingsInput>;

export const SecuritySettings = z.object({
  /** Paths sealed on every write, e.g. `address`, `customFields.nationalId`. */
  sensitiveFields: z.array(z.string()),
  /** 0 while the tenant still has the defaults (nothing stored yet). */
  version: z.number().int().nonnegative(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type SecuritySettings = z.infer<typeof SecuritySettings>;

/** What the customer use cases need from the settings. */
export interface LoadedSecuritySettings extends SecuritySettings {
  /**
   * Every path that was ever sensitive (a superset of `sensitiveFields`). Open and mask these on
   * read: values sealed before a field was taken off the list stay sealed until rewritten.
   */
  decryptFields: string[];
}

export const securitySettingsKey = (tenantId: string): ItemKey => ({ pk: `T#${tenantId}#SETTINGS`, sk: 'SECURITY' });

export const DEFAULT_SECURITY_SETTINGS: LoadedSecuritySettings = {
  sensitiveFields: [],
  decryptFields: [],
  version: 0,
  updatedAt: null,
  updatedBy: null,
};

export function toSecuritySettingsItem(tenantId: string, settings: LoadedSecuritySettings): Item {
  return { ...securitySettingsKey(tenantId), entity: 'security-settings', tenantId, ...settings };
}

function fromItem(item: Item): LoadedSecuritySettings {
  const sensitiveFields = (item.sensitiveFields as string[] | undefined) ?? [];
  return {
    sensitiveFields,
    decryptFields: (item.decryptFields as string[] | undefined) ?? sensitiveFields,
    version: item.version as number,
    updatedAt: (item.updatedAt as string | undefined) ?? null,
    updatedBy: (item.updatedBy as string | undefined) ?? null,
  };
}

/**
 * The tenant's security settings in one GetItem (defaults when none are stored). Consistent by
 * default so a write right after the admin's change already seals the new fields; pass
 * `{ consistent: false }` on read paths to halve the read cost. Cache-friendly: the result is a
 * plain value keyed by tenant, and `version` tells a cache whether it is stale.
 */
export async function loadSecuritySettings(
  store: TableStore,
  tenantId: string,
  options: { consistent?: boolean } = {},
): Promise<LoadedSecuritySettings> {
  const item = await store.get(securitySettingsKey(tenantId), { consistent: options.consistent ?? true });
  return item ? fromItem(item) : { ...DEFAULT_SECURITY_SETTINGS };
}

/** The API view (without the internal history). */
export function toSecuritySettings({ decryptFields: _history, ...settings }: LoadedSecuritySettings): SecuritySettings {
  return settings;
}
