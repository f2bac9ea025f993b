import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { returnExpiredClaim } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { TTL_PRINCIPAL } from '../shared/change-records';

/**
 * Change-feed consumer: a claim lease removed by TTL means the protection period ran out untouched;
 * the customer returns to the public pool. Partial failures are reported per record.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const record of event.Records) {
    const old = record.dynamodb?.OldImage;
    if (record.eventName !== 'REMOVE' || record.userIdentity?.principalId !== TTL_PRINCIPAL || !old) continue;
    const lease = unmarshall(old as Record<string, AttributeValue>);
    if (lease.entity !== 'claim-lease') continue;
    try {
      const released = await returnExpiredClaim(container, lease as { tenantId: string; customerId: string; ownerId: string; claimedAt: string });
      if (released) container.logger.info('claim protection ended', { tenantId: lease.tenantId, customerId: lease.customerId });
    } catch (error) {
      container.logger.error('returning an expired claim failed', { error: error as Error });
      batchItemFailures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! });
    }
  }
  return { batchItemFailures };
};
