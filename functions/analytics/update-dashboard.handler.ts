import { applyDashboardChange } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toChangeRecord } from '../shared/change-records';

/**
 * Change-feed consumer: moves the dashboard counters (customers per RFM segment, paid orders per
 * month and currency; tenant totals and per org unit) by each customer and order change, exactly
 * once per record version
 * (applyDashboardChange). Records are applied in order; the first failure is reported and the feed
 * resumes there (records before it are already applied; a redelivered one changes nothing).
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  for (const record of event.Records) {
    try {
      await applyDashboardChange(container.store, toChangeRecord(record));
    } catch (error) {
      container.logger.error('updating the dashboard failed; the feed retries from this record', { error: error as Error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] };
    }
  }
  return { batchItemFailures: [] };
};
