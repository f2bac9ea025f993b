import { dispatchWebhooks } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { webhookDispatchDeps } from './webhook-runtime';
import { toChangeRecord, TTL_PRINCIPAL } from '../shared/change-records';

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
