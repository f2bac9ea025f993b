import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { publishChangeEvents, type ChangeRecord } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { eventBusOf } from './container-events';

type Image = Record<string, AttributeValue>;

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

function toChangeRecord(record: DynamoDBRecord): ChangeRecord {
  const { NewImage, OldImage, ApproximateCreationDateTime } = record.dynamodb ?? {};
  return {
    eventId: record.eventID!,
    eventName: record.eventName!,
    approximateCreationTime: (ApproximateCreationDateTime ?? 0) * 1000,
    ...(NewImage ? { newImage: unmarshall(NewImage as Image) } : {}),
    ...(OldImage ? { oldImage: unmarshall(OldImage as Image) } : {}),
  };
}
