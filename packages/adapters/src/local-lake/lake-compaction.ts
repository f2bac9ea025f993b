import { createHash } from 'node:crypto';

/** The compaction plan a partition keeps while a compaction is between "merged file written" and "inputs deleted". */
export const COMPACTION_PLAN_FILE = '_compaction.json';

export interface CompactionPlan {
  output: string;
  inputs: string[];
}

/** A file of a partition, with its last modification (milliseconds since the epoch). */
export interface LakeFileStamp {
  name: string;
  lastModified: number;
}

/**
 * The plan for merging a partition's settled Parquet files (modified at least `settledMs` before
 * `now`), or undefined when no more than `minFiles` (at least 1) have settled. Shared by the local
 * and the S3 lake writer.
 */
export function planCompaction(
  files: readonly LakeFileStamp[],
  now: number,
  options: { minFiles?: number; settledMs?: number },
): CompactionPlan | undefined {
  const cutoff = now - (options.settledMs ?? 0);
  const settled = files.filter((f) => f.name.endsWith('.parquet') && f.lastModified <= cutoff).map((f) => f.name).sort();
  if (settled.length <= Math.max(1, options.minFiles ?? 1)) return undefined;
  return { output: compactedName(settled), inputs: settled };
}

/** A merged file's name: derived from its inputs, so it never collides with one of them or another merge. */
export function compactedName(inputs: readonly string[]): string {
  const digest = createHash('sha256').update([...inputs].sort().join('\n')).digest('hex').slice(0, 20);
  return `compacted-${digest}.parquet`;
}
