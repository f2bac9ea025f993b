import { AnalyticsDashboard, AnalyticsSettings, AnalyticsSettingsInput, AnalyticsQuery, AnalyticsQueryAccepted, CreateAnalyticsQueryInput, RecordId } from '@crm/core';
import * as z from 'zod';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId });
const IfMatch = z.object({ 'if-match': z.string().describe('The ETag you read ("0" while the tenant has the defaults)') });

/** Analytics API (issue 7): asynchronous report queries, the pre-aggregated dashboard and the per-tenant analytics settings. */
export const analyticsQueryDocs: Record<string, RouteDoc> = {
  'create-analytics-query': { body: CreateAnalyticsQueryInput.meta({ id: 'CreateAnalyticsQueryInput' }), ok: { 202: AnalyticsQueryAccepted }, errors: [400, 415] },
  'get-analytics-query': { params: IdParams, ok: { 200: AnalyticsQuery }, errors: [404] },
  'get-analytics-dashboard': { ok: { 200: AnalyticsDashboard } },
  'get-analytics-settings': { ok: { 200: AnalyticsSettings }, errors: [403] },
  'put-analytics-settings': { headers: IfMatch, body: AnalyticsSettingsInput.meta({ id: 'AnalyticsSettingsInput' }), ok: { 200: AnalyticsSettings }, errors: [400, 403, 412, 415, 428] },
};
