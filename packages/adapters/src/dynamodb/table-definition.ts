import type { CreateTableCommandInput, UpdateTimeToLiveCommandInput } from '@aws-sdk/client-dynamodb';
import { INDEX_NAMES, KEY_ATTRIBUTES, indexKeyAttributes } from '@crm/core';

/**
 * The single table as DynamoDB sees it: string `pk`/`sk`, sparse GSIs `gsi1`..`gsiN` (INDEX_NAMES) with
 * string `gsiNpk`/`gsiNsk` keys projecting all attributes, on-demand billing and a
 * NEW_AND_OLD_IMAGES stream (the change feed). Used against DynamoDB Local in tests; the CDK
 * stateful stack must declare the same shape.
 */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const indexAttributes = INDEX_NAMES.map((index) => indexKeyAttributes(index));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: KEY_ATTRIBUTES.pk, AttributeType: 'S' },
      { AttributeName: KEY_ATTRIBUTES.sk, AttributeType: 'S' },
      ...indexAttributes.flatMap((attributes) => [
        { AttributeName: attributes.pk, AttributeType: 'S' as const },
        { AttributeName: attributes.sk, AttributeType: 'S' as const },
      ]),
    ],
    KeySchema: [
      { AttributeName: KEY_ATTRIBUTES.pk, KeyType: 'HASH' },
      { AttributeName: KEY_ATTRIBUTES.sk, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: INDEX_NAMES.map((index) => ({
      IndexName: index,
      KeySchema: [
        { AttributeName: indexKeyAttributes(index).pk, KeyType: 'HASH' as const },
        { AttributeName: indexKeyAttributes(index).sk, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

/** Enables TTL on `expiresAt` (DynamoDB takes this as a separate call after CreateTable). */
export function timeToLiveInput(tableName: string): UpdateTimeToLiveCommandInput {
  return {
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: KEY_ATTRIBUTES.ttl, Enabled: true },
  };
}
