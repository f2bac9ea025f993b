import { compactRecentLakePartitions } from '@crm/core';
import { getContainer } from '@crm/runtime';
import { lakeWriterOf } from './container-lake';

/**
 * Schedule: merges yesterday's and today's lake partitions that have gathered many small export
 * files into one file each (few, large files keep Athena and DuckDB scans fast and cheap).
 */
export const handler = async (): Promise<{ partitions: number; merged: number }> => {
  const container = getContainer();
  const result = await compactRecentLakePartitions(lakeWriterOf(container), container.clock.now());
  if (result.partitions > 0) container.logger.info('lake compacted', { ...result });
  return result;
};
