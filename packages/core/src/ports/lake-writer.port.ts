import type { LakeRow, LakeTable } from '../analytics/lake-rows';

/** One Hive-style partition of a lake table: `<table>/tenant=<tenantId>/dt=<dt>/`. */
export interface LakePartition {
  table: LakeTable;
  tenantId: string;
  /** `yyyy-mm-dd` (UTC). */
  dt: string;
}

/** What one compaction did. */
export interface LakeCompaction {
  /** Files merged (0 when the partition had too few settled files to be worth it). */
  merged: number;
  /** Rows in the merged file. */
  rows: number;
  /** Name of the merged file, when one was written. */
  file?: string;
}

/**
 * Lake-writer port: appends Parquet (ZSTD) files to the lake's partitions and compacts them.
 * A local folder (`<CRM_DATA_DIR>/lake/`) or the lake bucket in AWS, same key layout
 * (see LAKE_COLUMNS for the tables and columns).
 */
export interface LakeWriter {
  /**
   * Writes `rows` as one file `<batchId>.parquet` of the partition. Idempotent per batch id: a
   * redelivered batch (same first stream sequence number) replaces the same file, never adds one.
   */
  append(partition: LakePartition, batchId: string, rows: readonly LakeRow[]): Promise<void>;
  /**
   * Merges the partition's files into one when it has more than `minFiles` (default 1) files
   * older than `settledMs` (default 0; files younger than that may still be redelivered and are
   * left alone). Writes the merged file first and deletes the merged ones only then, recording the
   * plan beforehand so that a run interrupted in between is finished by the next one instead of
   * leaving duplicates.
   */
  compact(partition: LakePartition, options?: { minFiles?: number; settledMs?: number }): Promise<LakeCompaction>;
  /** Tenants with a partition of `table` (on date `dt` when given), sorted. */
  tenantsWithPartition(table: LakeTable, dt?: string): Promise<string[]>;
  /** Parquet files of a partition (names, sorted). */
  files(partition: LakePartition): Promise<string[]>;
}

/** The lake key of a partition's folder, relative to the lake root (no leading or trailing slash). */
export function lakePartitionPrefix({ table, tenantId, dt }: LakePartition): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(tenantId)) throw new Error(`Invalid lake tenant id: ${JSON.stringify(tenantId)}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dt)) throw new Error(`Invalid lake partition date: ${JSON.stringify(dt)}`);
  return `${table}/tenant=${tenantId}/dt=${dt}`;
}

/** Batch ids become file names: stream sequence numbers (digits) or other safe tokens. */
export function assertLakeBatchId(batchId: string): void {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(batchId)) throw new Error(`Invalid lake batch id: ${JSON.stringify(batchId)}`);
}
