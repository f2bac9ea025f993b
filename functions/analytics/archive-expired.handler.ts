import { archiveExpiredItems } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { TTL_PRINCIPAL, toChangeRecord } from '../shared/change-records';
import { archiveStoreOf } from './container-archive';

/**
 * Archives timeline items the TTL process removed (REMOVE records whose userIdentity is the
 * DynamoDB service; a user's delete is not archived) into the lake's archive prefix. A failure
 * fails the whole batch (reported at its first record): the retry writes the same ledger entries
 * and the same files again, so nothing is archived twice.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const first = event.Records[0]?.dynamodb?.SequenceNumber;
  if (!first) return { batchItemFailures: [] };
  const expired = event.Records.filter((r) => r.eventName === 'REMOVE' && r.userIdentity?.principalId === TTL_PRINCIPAL && r.dynamodb?.OldImage);
  if (expired.length === 0) return { batchItemFailures: [] };
  const container = getContainer();
  try {
    const result = await archiveExpiredItems({ ...container, archive: archiveStoreOf(container) }, expired.map(toChangeRecord));
    if (result.archived > 0) container.logger.info('archived expired timeline items', { batch: first, ...result });
    return { batchItemFailures: [] };
  } catch (error) {
    container.logger.error('archiving failed; the batch will be retried', { batch: first, error: error as Error });
    return { batchItemFailures: [{ itemIdentifier: first }] };
  }
};
