import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { enrichCompanyCustomer } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { enrichmentOf } from './container-enrichment';

/**
 * Change-feed consumer: a new company customer is looked up in the business registry and a found
 * record stored on it as `enrichment` — after the create has committed, so enrichment never blocks
 * or fails a write. Budget exhaustion and an unavailable registry are logged and the record is
 * acknowledged, not redelivered (retrying would hold up the shard behind a provider outage); only
 * unexpected errors become batch item failures.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  const deps = { store: container.store, clock: container.clock, ids: container.ids, enrichment: enrichmentOf(container) };
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.entity !== 'customer') continue;
    try {
      const result = await enrichCompanyCustomer(deps, item);
      if (result.action === 'deferred') container.logger.warn('company enrichment deferred', { tenantId: item.tenantId, customerId: item.id, outcome: result.outcome.status });
    } catch (error) {
      container.logger.error('company enrichment failed', { error: error as Error });
      batchItemFailures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! });
    }
  }
  return { batchItemFailures };
};
