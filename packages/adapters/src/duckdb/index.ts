/** DuckDB analytics engine over the local lake folder. Local runtime only (native module). */
export { DuckDbAnalyticsEngine, createDuckDbConnection, duckDbLakeTable, type DuckDbAnalyticsEngineOptions } from './duckdb-analytics-engine';
