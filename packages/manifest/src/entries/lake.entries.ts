import type { ManifestEntry } from '../manifest.types';

/**
 * Analytics lake (issue 7): the change feed exported to Parquet partitions
 * (`<table>/tenant=<t>/dt=<d>/`, see LAKE_COLUMNS in @crm/core) and compacted on a schedule.
 * In AWS the lake bucket, locally `<CRM_DATA_DIR>/lake/`; Athena (Glue tables with partition
 * projection) and DuckDB read the same layout.
 */
export const lakeEntries: ManifestEntry[] = [
  {
    kind: 'stream', name: 'export-to-lake', context: 'analytics', entry: 'functions/analytics/export-to-lake.handler.ts',
    // LAKE_SOURCE_ENTITIES in @crm/core.
    entities: ['customer', 'interaction', 'order', 'deal'],
    table: 'none', buckets: ['lake'], batchSize: 1000, maxBatchingWindowSeconds: 60,
    // Parquet is made by embedded DuckDB in the function (memory), per batch one file per partition.
    nativePackages: ['@duckdb/node-api'], memoryMb: 1024, timeoutSeconds: 120,
    summary: 'Exports orders, interactions, deal stage changes and customer snapshots to the lake as Parquet (one file per partition and batch)',
  },
  {
    kind: 'schedule', name: 'compact-lake', context: 'analytics', entry: 'functions/analytics/compact-lake.handler.ts', rateMinutes: 30,
    table: 'none', buckets: ['lake'], nativePackages: ['@duckdb/node-api'], memoryMb: 1769, timeoutSeconds: 900,
    summary: "Merges the small export files of yesterday's and today's lake partitions into one file each",
  },
];
