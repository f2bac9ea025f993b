/** DuckDB analytics engine over the local lake folder. Local runtime only (native module). */
export { DuckDbAnalyticsEngine, createDuckDbConnection, duckDbLakeTable, type DuckDbAnalyticsEngineOptions, type DuckDbReportQuery } from './duckdb-analytics-engine';
