import * as z from 'zod';
import { RecordId } from '../../customers/customer.schema';
import { ChurnRiskParams, FunnelParams, InactiveCustomersParams, REPORT_NAMES, RfmParams } from '../report-definitions';

export const ANALYTICS_QUERY_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type AnalyticsQueryStatus = (typeof ANALYTICS_QUERY_STATUSES)[number];

/**
 * `POST /v1/analytics/queries`: the report and its params, validated by the report's own zod
 * schema (report-definitions.ts), so a bad param answers 400 with `body.params.<field>` paths. The
 * tenant is never part of the input: it comes from the token.
 */
export const CreateAnalyticsQueryInput = z.discriminatedUnion('report', [
  z.strictObject({ report: z.literal('rfm'), params: RfmParams }),
  z.strictObject({ report: z.literal('funnel'), params: FunnelParams }),
  z.strictObject({ report: z.literal('churn-risk'), params: ChurnRiskParams }),
  z.strictObject({ report: z.literal('inactive-customers'), params: InactiveCustomersParams }),
]);
export type CreateAnalyticsQueryInput = z.output<typeof CreateAnalyticsQueryInput>;

/** One result row (report-definitions.ts `AnalyticsRow`). */
const Row = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const AnalyticsQuery = z.object({
  id: RecordId,
  report: z.enum(REPORT_NAMES),
  /** The params as validated (defaults filled in). */
  params: z.record(z.string(), z.unknown()),
  status: z.enum(ANALYTICS_QUERY_STATUSES),
  /** When succeeded: the rows, at most MAX_QUERY_ROWS / MAX_QUERY_ROWS_BYTES of them. */
  rows: z.array(Row).optional(),
  /** When succeeded: the number of rows the report produced (more than `rows` when truncated). */
  rowCount: z.number().int().nonnegative().optional(),
  /** True when `rows` holds only the first part of the result. */
  truncated: z.boolean().optional(),
  /** When failed: why (no internals). */
  error: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
}).meta({ id: 'AnalyticsQuery' });
export type AnalyticsQuery = z.infer<typeof AnalyticsQuery>;

export const AnalyticsQueryAccepted = z.object({ id: RecordId, status: z.literal('queued') }).meta({ id: 'AnalyticsQueryAccepted' });
