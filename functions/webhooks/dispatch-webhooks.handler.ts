import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { dispatchWebhooks, type ChangeRecord } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { webhookDispatchDeps } from './webhook-runtime';

type Image = Record<string, AttributeValue>;

/** DynamoDB's TTL process, as it appears on stream records of the deletions it makes. */
const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';

/**
 * Partner webhooks: domain events of the table's changes are fanned out to matching subscriptions
 * and delivered signed; retry timers removed by TTL trigger the next attempt (see dispatchWebhooks).
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  const changes = event.Records.map((record) => ({
    key: record.dynamodb!.SequenceNumber!,
    change: toChangeRecord(record),
    removedByTtl: record.userIdentity?.principalId === TTL_PRINCIPAL,
  }));
  const { failedKeys } = await dispatchWebhooks(webhookDispatchDeps(container), changes, container.logger);
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
