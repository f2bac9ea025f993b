/** Local lake writer (Parquet files in a folder via embedded DuckDB); no AWS imports. */
export { LocalLakeWriter, compactedName, COMPACTION_PLAN_FILE, type LocalLakeWriterOptions } from './local-lake-writer';
export { EMBEDDED_DUCKDB_CONFIG, ParquetFiles } from './parquet-files';
