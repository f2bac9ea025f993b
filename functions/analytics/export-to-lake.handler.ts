import { exportChangesToLake } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toChangeRecord } from '../shared/change-records';
import { lakeWriterOf } from './container-lake';

/**
 * Exports orders, interactions, deal stage changes and customer snapshots from the change feed to
 * the lake: one Parquet file per (table, tenant, dt) and batch, named after the batch's first
 * sequence number. A failure fails the whole batch (reported at its first record), so the retry
 * is the same batch under the same name and replaces whatever files the failed attempt wrote.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const first = event.Records[0]?.dynamodb?.SequenceNumber;
  if (!first) return { batchItemFailures: [] };
  const container = getContainer();
  try {
    const result = await exportChangesToLake(lakeWriterOf(container), first, event.Records.map(toChangeRecord));
    if (result.rows > 0) container.logger.info('lake export', { batch: first, ...result });
    return { batchItemFailures: [] };
  } catch (error) {
    container.logger.error('lake export failed; the batch will be retried', { batch: first, error: error as Error });
    return { batchItemFailures: [{ itemIdentifier: first }] };
  }
};
