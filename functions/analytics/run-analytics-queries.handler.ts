import { runAnalyticsQuery } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toChangeRecord } from '../shared/change-records';
import { analyticsEngineOf } from './container-analytics-engine';

/**
 * Change-feed consumer: runs each newly queued analytics query (Athena in AWS, DuckDB locally) and
 * stores its rows or its failure on the query item (runAnalyticsQuery). Records of queries that are
 * no longer queued (this consumer's own writes, redeliveries) are skipped. A storage error reports
 * the record so the feed retries it; a report error ends the query `failed` instead.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const record of event.Records) {
    const image = toChangeRecord(record).newImage;
    if (!image || image.status !== 'queued') continue;
    try {
      const outcome = await runAnalyticsQuery({ store: container.store, clock: container.clock, engine: await analyticsEngineOf(container) }, image);
      if (outcome !== 'skipped') container.logger.info('analytics query', { outcome, tenantId: image.tenantId, queryId: image.id, report: image.report });
    } catch (error) {
      container.logger.error('running an analytics query failed', { error: error as Error, queryId: image.id });
      batchItemFailures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! });
    }
  }
  return { batchItemFailures };
};
