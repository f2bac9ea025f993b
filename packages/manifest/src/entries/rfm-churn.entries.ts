import type { ManifestEntry } from '../manifest.types';
import { REPORT_SQL_ASSETS } from './analytics-queries.entries';
import { jwtRoute, SCOPES } from './route-builder';

/**
 * Analytics write-back (issue 7): daily RFM scores onto customer profiles and the churn trigger
 * (customer.churn-risk once per episode). Both run the reports on the analytics engine (Athena in
 * AWS, DuckDB locally) for every tenant with orders in the lake (listed from the lake bucket:
 * `analytics: 'query'` sets LAKE_BUCKET, and the query policy may list it; no lake write grant).
 * Each tenant's currency, churn threshold and on/off switches are its analytics settings.
 */
export const rfmChurnEntries: ManifestEntry[] = [
  {
    kind: 'schedule', name: 'score-rfm', context: 'analytics', entry: 'functions/analytics/score-rfm.handler.ts', rateMinutes: 1440,
    table: 'read-write', analytics: 'query', memoryMb: 1024, timeoutSeconds: 900, assets: REPORT_SQL_ASSETS,
    summary: 'Daily: runs the RFM report per tenant and writes segment and scores onto each scored customer profile',
  },
  {
    kind: 'schedule', name: 'detect-churn', context: 'analytics', entry: 'functions/analytics/detect-churn.handler.ts', rateMinutes: 1440,
    table: 'read-write', analytics: 'query', memoryMb: 1024, timeoutSeconds: 900, assets: REPORT_SQL_ASSETS,
    summary: "Daily: opens a churn episode (customer.churn-risk) for high-value customers without a purchase for the tenant's churnDays (default 30); re-arms after the next purchase",
  },
  jwtRoute('analytics', 'get-analytics-settings', 'GET', '/v1/settings/analytics', "Get the tenant's analytics settings (RFM/churn currency, churn days, job switches)",
    { context: 'analytics', table: 'read', scopes: SCOPES.admin, permission: 'settings:read' }),
  jwtRoute('analytics', 'put-analytics-settings', 'PUT', '/v1/settings/analytics', "Replace the tenant's analytics settings (If-Match required; admins)",
    { context: 'analytics', table: 'read-write', scopes: SCOPES.admin, permission: 'settings:manage' }),
];
