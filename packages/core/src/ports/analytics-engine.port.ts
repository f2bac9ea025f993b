import type { AnalyticsRow, ReportName, ReportParamsByName } from '../analytics/report-definitions';

/**
 * Runs a report (packages/core/src/analytics/sql/<report>.sql) for one tenant over the lake:
 * Athena in AWS, DuckDB over the local lake folder. Params are validated by the report's zod schema
 * (a ZodError on bad input); the rows are typed per the report's columns and finished the same way
 * by every engine.
 */
export interface AnalyticsEngine {
  /** Every row of the report (jobs that act on each row: RFM write-back, churn detection). */
  run<R extends ReportName>(tenantId: string, report: R, params: ReportParamsByName[R]): Promise<AnalyticsRow[]>;
  /**
   * The report's first `limit` rows (its final order; equal to the start of `run`'s rows) and how
   * many rows it has in all: what a stored query keeps. Engines cut the page before turning rows
   * into objects when the report is pageable, so a 200,000-row result costs a page, not 200,000 objects.
   */
  runPage<R extends ReportName>(tenantId: string, report: R, params: ReportParamsByName[R], options: { limit: number }): Promise<AnalyticsPage>;
}

export interface AnalyticsPage {
  rows: AnalyticsRow[];
  /** Rows of the whole result. */
  rowCount: number;
}
