import type { ChangeRecord } from '../events/change-record-events';
import type { LakeWriter } from '../ports/lake-writer.port';
import { groupLakeRows, LAKE_TABLES, lakeRowsFromChange } from './lake-rows';

/**
 * Exports one batch of the change feed to the lake: every record's lake rows, grouped by
 * (table, tenant, dt), one file per group named after the batch (its first stream sequence
 * number), so a redelivered batch replaces its files instead of adding rows twice. Any failure
 * fails the whole batch: it is then redelivered from the same first record with the same id.
 */
export async function exportChangesToLake(
  lake: LakeWriter,
  batchId: string,
  records: readonly ChangeRecord[],
): Promise<{ files: number; rows: number }> {
  const groups = groupLakeRows(records.flatMap(lakeRowsFromChange));
  for (const group of groups) await lake.append({ table: group.table, tenantId: group.tenantId, dt: group.dt }, batchId, group.rows);
  return { files: groups.length, rows: groups.reduce((n, g) => n + g.rows.length, 0) };
}

/** Compaction defaults: partitions with more than this many settled files are merged. */
export const LAKE_COMPACTION_MIN_FILES = 4;
/**
 * Files younger than this stay out of a compaction: their batch could still be redelivered (the
 * stream's retries with backoff end well within it), and a redelivery must find its own file.
 */
export const LAKE_COMPACTION_SETTLE_MS = 30 * 60_000;

/**
 * Compacts yesterday's and today's (UTC) partitions of every lake table that hold more than
 * `minFiles` settled files into one file each (few, large files: fewer requests and better
 * Parquet statistics for Athena and DuckDB). Older partitions were compacted on their last day.
 */
export async function compactRecentLakePartitions(
  lake: LakeWriter,
  now: Date,
  options: { minFiles?: number; settledMs?: number } = {},
): Promise<{ partitions: number; merged: number }> {
  const today = now.toISOString().slice(0, 10);
  const yesterday = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  const minFiles = options.minFiles ?? LAKE_COMPACTION_MIN_FILES;
  const settledMs = options.settledMs ?? LAKE_COMPACTION_SETTLE_MS;
  let partitions = 0;
  let merged = 0;
  for (const table of LAKE_TABLES) {
    for (const dt of [yesterday, today]) {
      for (const tenantId of await lake.tenantsWithPartition(table, dt)) {
        const result = await lake.compact({ table, tenantId, dt }, { minFiles, settledMs });
        if (result.merged > 0) {
          partitions++;
          merged += result.merged;
        }
      }
    }
  }
  return { partitions, merged };
}
