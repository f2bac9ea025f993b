import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { completeMerge } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

/**
 * Change-feed consumer: a merge (or its undo) whose request stopped before moving index items and
 * contacts is finished here. The request normally finishes it itself; then this finds it done.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image || record.eventName === 'REMOVE') continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.entity !== 'customer-merge' || (item.status !== 'merging' && item.status !== 'undoing')) continue;
    try {
      await completeMerge(container.store, item.tenantId as string, item.mergeId as string);
    } catch (error) {
      container.logger.error('completing a merge failed', { error: error as Error, tenantId: item.tenantId, mergeId: item.mergeId });
      batchItemFailures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! });
    }
  }
  return { batchItemFailures };
};
