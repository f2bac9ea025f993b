import { recordOrderFromInteraction } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toChangeRecord } from '../shared/change-records';

/**
 * Change-feed consumer: a newly inserted POS purchase or paid e-commerce order interaction becomes
 * an order (externalId `interaction:<id>`, so redelivery writes nothing twice); a POS refund or an
 * e-commerce refund / cancellation moves that shop order's order (recordOrderFromInteraction).
 * Partial failures are reported per record; the feed resumes at the first failed one.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const record of event.Records) {
    if (record.eventName !== 'INSERT') continue;
    const image = toChangeRecord(record).newImage;
    if (!image || image.entity !== 'interaction') continue;
    try {
      const outcome = await recordOrderFromInteraction(container, image);
      if (outcome !== 'skipped') container.logger.info('order from interaction', { outcome, tenantId: image.tenantId, interactionId: image.id });
    } catch (error) {
      container.logger.error('recording an order from an interaction failed', { error: error as Error });
      batchItemFailures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! });
    }
  }
  return { batchItemFailures };
};
