import { publishChangeEvents } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventBusOf } from './container-events';
import { toChangeRecord } from '../shared/change-records';

/**
 * The outbox relay: the table's changes become versioned domain events on the event bus. Reports
 * as batch item failures only the records whose events could not be published (see
 * publishChangeEvents); the event source mapping retries, bisects and finally parks them.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  const changes = event.Records.map((record) => ({ key: record.dynamodb!.SequenceNumber!, change: toChangeRecord(record) }));
  const { failedKeys } = await publishChangeEvents(eventBusOf(container), changes, container.logger);
  return { batchItemFailures: failedKeys.map((itemIdentifier) => ({ itemIdentifier })) };
};
