import { AnalyticsDashboard, AnalyticsQuery, AnalyticsQueryAccepted, CreateAnalyticsQueryInput, RecordId } from '@crm/core';
import * as z from 'zod';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId });

/** Analytics API (issue 7): asynchronous report queries and the pre-aggregated dashboard. */
export const analyticsQueryDocs: Record<string, RouteDoc> = {
  'create-analytics-query': { body: CreateAnalyticsQueryInput.meta({ id: 'CreateAnalyticsQueryInput' }), ok: { 202: AnalyticsQueryAccepted }, errors: [400, 415] },
  'get-analytics-query': { params: IdParams, ok: { 200: AnalyticsQuery }, errors: [404] },
  'get-analytics-dashboard': { ok: { 200: AnalyticsDashboard } },
};
