import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ChangeRecord } from '@crm/core';
import type { DynamoDBRecord } from 'aws-lambda';

/** DynamoDB's TTL process, as it appears on stream records of the deletions it makes. */
export const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';

/** A stream record as the core's change-feed use cases read it (images unmarshalled). */
export function toChangeRecord(record: DynamoDBRecord): ChangeRecord {
  const { NewImage, OldImage, ApproximateCreationDateTime } = record.dynamodb ?? {};
  return {
    eventId: record.eventID!,
    eventName: record.eventName!,
    approximateCreationTime: (ApproximateCreationDateTime ?? 0) * 1000,
    ...(NewImage ? { newImage: unmarshall(NewImage as Record<string, AttributeValue>) } : {}),
    ...(OldImage ? { oldImage: unmarshall(OldImage as Record<string, AttributeValue>) } : {}),
  };
}
