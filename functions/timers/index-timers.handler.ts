import { dueIndexOperations } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toChangeRecord } from '../shared/change-records';

/**
 * Change-feed consumer: keeps the system due-index in step with the `timers` maps of items
 * (docs/adr/0021-timers.md). Each record's index writes are idempotent; a record whose writes
 * fail is reported (and redelivered from there).
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  for (const record of event.Records) {
    try {
      const operations = dueIndexOperations(toChangeRecord(record), container.clock.now());
      for (const operation of operations) {
        if (operation.type === 'put') await container.store.put(operation.item);
        else if (operation.type === 'delete') await container.store.delete(operation.key);
      }
    } catch (error) {
      container.logger.error('indexing timers failed', { error: error as Error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] };
    }
  }
  return { batchItemFailures: [] };
};
