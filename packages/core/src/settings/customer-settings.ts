import * as z from 'zod';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import type { ItemKey, TableStore } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { replaceVersionedSettings, type SettingsDeps } from './versioned-settings';
import { DuplicatePolicy } from '../duplicates/duplicate.types';

/**
 * Per-tenant data-quality settings of customer records: what happens on a likely duplicate, and the
 * region assumed for phone numbers typed without a country code. One item per tenant
 * (`T#<t>#SETTINGS` / `CUSTOMERS`), versioned, changed with If-Match, audited.
 */
export const CustomerSettingsInput = z.strictObject({
  /** allow: write silently; warn (default): write and return `duplicates`; block: 409 unless overridden. */
  duplicatePolicy: DuplicatePolicy,
  /** ISO 3166-1 alpha-2 region for numbers without a country code (default CN). */
  defaultPhoneRegion: z.string().refine((r) => isSupportedCountry(r), 'must be an ISO 3166-1 alpha-2 region with a phone numbering plan, e.g. CN, HK, DE'),
});
export type CustomerSettingsInput = z.infer<typeof CustomerSettingsInput>;

export const CustomerSettings = CustomerSettingsInput.extend({
  defaultPhoneRegion: z.string(),
  /** 0 while the tenant still has the defaults. */
  version: z.number().int().nonnegative(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
}).meta({ id: 'CustomerSettings' });
export type CustomerSettings = z.infer<typeof CustomerSettings> & { defaultPhoneRegion: CountryCode };

export const DEFAULT_CUSTOMER_SETTINGS: CustomerSettings = {
  duplicatePolicy: 'warn', defaultPhoneRegion: 'CN', version: 0, updatedAt: null, updatedBy: null,
};

const settingsKey = (tenantId: string): ItemKey => ({ pk: `T#${tenantId}#SETTINGS`, sk: 'CUSTOMERS' });

export async function loadCustomerSettings(store: TableStore, tenantId: string, options: { consistent?: boolean } = {}): Promise<CustomerSettings> {
  const item = await store.get(settingsKey(tenantId), { consistent: options.consistent ?? true });
  if (!item) return { ...DEFAULT_CUSTOMER_SETTINGS };
  return {
    duplicatePolicy: item.duplicatePolicy as CustomerSettings['duplicatePolicy'],
    defaultPhoneRegion: item.defaultPhoneRegion as CountryCode,
    version: item.version as number,
    updatedAt: item.updatedAt as string,
    updatedBy: item.updatedBy as string,
  };
}

/** Replaces the settings under optimistic locking (`"0"` or `*` while the defaults apply). */
export async function putCustomerSettings(deps: SettingsDeps, ctx: RequestContext, input: CustomerSettingsInput, ifMatch: string | undefined): Promise<CustomerSettings> {
  const { tenantId } = ctx.principal;
  return replaceVersionedSettings(deps, ctx, {
    key: settingsKey(tenantId), entity: 'customer-settings', resource: 'customer-settings', what: 'customer settings',
    load: () => loadCustomerSettings(deps.store, tenantId),
    values: { duplicatePolicy: input.duplicatePolicy, defaultPhoneRegion: input.defaultPhoneRegion as CountryCode },
  }, ifMatch);
}
