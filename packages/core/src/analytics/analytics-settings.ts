import * as z from 'zod';
import { DealCurrency } from '../deals/deal.schema';
import type { Item, ItemKey, TableStore } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { replaceVersionedSettings, type SettingsDeps } from '../settings/versioned-settings';

/** The currency RFM scoring and churn detection compare customers in while a tenant has not chosen one. */
export const DEFAULT_ANALYTICS_CURRENCY = 'CNY';
/** Days without a paid order before a high-value customer is a churn risk, while a tenant has not chosen. */
export const DEFAULT_CHURN_DAYS = 30;
/** Bounds of `churnDays` (a week to a year). */
export const MIN_CHURN_DAYS = 7;
export const MAX_CHURN_DAYS = 365;

/**
 * Per-tenant settings of the analytics jobs (score-rfm, detect-churn): the one currency customers
 * are compared in, the churn threshold, and whether each job runs for the tenant. One item per
 * tenant (`T#<t>#SETTINGS` / `ANALYTICS`), versioned, replaced as a whole with If-Match, audited.
 * The jobs read it once per tenant and run (a consistent Get), so a change applies from the next run.
 */
export const AnalyticsSettingsInput = z.strictObject({
  /**
   * ISO 4217 code RFM scores and churn risk are computed in (orders in other currencies do not
   * count). Changing it re-scores every customer in the new currency on the next run; profiles
   * scored in the old one and without paid orders in the new one lose their scores.
   */
  currency: DealCurrency,
  /** Days without a paid order (in `currency`) after which a high-value customer is a churn risk. */
  churnDays: z.number().int().min(MIN_CHURN_DAYS).max(MAX_CHURN_DAYS),
  /** false: the daily RFM job clears the tenant's scores and writes none (default true). */
  rfmEnabled: z.boolean().optional(),
  /** false: the daily churn job opens no episodes (it still closes open ones on a purchase; default true). */
  churnEnabled: z.boolean().optional(),
});
export type AnalyticsSettingsInput = z.infer<typeof AnalyticsSettingsInput>;

export const AnalyticsSettings = AnalyticsSettingsInput.extend({
  currency: z.string(),
  rfmEnabled: z.boolean(),
  churnEnabled: z.boolean(),
  /** 0 while the tenant still has the defaults. */
  version: z.number().int().nonnegative(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
}).meta({ id: 'AnalyticsSettings' });
export type AnalyticsSettings = z.infer<typeof AnalyticsSettings>;

export const DEFAULT_ANALYTICS_SETTINGS: AnalyticsSettings = {
  currency: DEFAULT_ANALYTICS_CURRENCY, churnDays: DEFAULT_CHURN_DAYS, rfmEnabled: true, churnEnabled: true, version: 0, updatedAt: null, updatedBy: null,
};

export const analyticsSettingsKey = (tenantId: string): ItemKey => ({ pk: `T#${tenantId}#SETTINGS`, sk: 'ANALYTICS' });

/** The tenant's analytics settings (the defaults while none are stored); consistent unless asked otherwise. */
export async function loadAnalyticsSettings(store: TableStore, tenantId: string, options: { consistent?: boolean } = {}): Promise<AnalyticsSettings> {
  return fromItem(await store.get(analyticsSettingsKey(tenantId), { consistent: options.consistent ?? true }));
}

function fromItem(item: Item | undefined): AnalyticsSettings {
  if (!item) return { ...DEFAULT_ANALYTICS_SETTINGS };
  return {
    currency: item.currency as string,
    churnDays: item.churnDays as number,
    rfmEnabled: item.rfmEnabled !== false,
    churnEnabled: item.churnEnabled !== false,
    version: item.version as number,
    updatedAt: item.updatedAt as string,
    updatedBy: item.updatedBy as string,
  };
}

/** Replaces the settings under optimistic locking (`"0"` or `*` while the defaults apply); omitted switches mean on. */
export async function putAnalyticsSettings(deps: SettingsDeps, ctx: RequestContext, input: AnalyticsSettingsInput, ifMatch: string | undefined): Promise<AnalyticsSettings> {
  const { tenantId } = ctx.principal;
  return replaceVersionedSettings(deps, ctx, {
    key: analyticsSettingsKey(tenantId), entity: 'analytics-settings', resource: 'analytics-settings', what: 'analytics settings',
    load: () => loadAnalyticsSettings(deps.store, tenantId),
    values: { currency: input.currency, churnDays: input.churnDays, rfmEnabled: input.rfmEnabled ?? true, churnEnabled: input.churnEnabled ?? true },
  }, ifMatch);
}
