import type { AnalyticsRow, ReportName, ReportParamsByName } from '../analytics/report-definitions';

/**
 * Runs a report (packages/core/src/analytics/sql/<report>.sql) for one tenant over the lake:
 * Athena in AWS, DuckDB over the local lake folder. Params are validated by the report's zod schema
 * (a ZodError on bad input); the rows are typed per the report's columns and finished the same way
 * by every engine.
 */
export interface AnalyticsEngine {
  run<R extends ReportName>(tenantId: string, report: R, params: ReportParamsByName[R]): Promise<AnalyticsRow[]>;
}
