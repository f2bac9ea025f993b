import { retimeStageDeals } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toChangeRecord } from '../shared/change-records';

/**
 * Change-feed consumer: a pipeline change that altered stage SLAs moves the `deal-stale` timers of
 * the deals in those stages (retimeStageDeals). Idempotent per record (a deal already carrying the
 * right timer is left alone), so a redelivery repeats nothing; the feed resumes at a failed record.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  for (const record of event.Records) {
    try {
      const result = await retimeStageDeals(container, toChangeRecord(record));
      if (result.stages > 0) container.logger.info('stage SLA changed: deal timers moved', { ...result });
    } catch (error) {
      container.logger.error('moving deal timers failed', { error: error as Error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] };
    }
  }
  return { batchItemFailures: [] };
};
