import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { buildFieldIndex, INDEXED_OBJECT_TYPES } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

/**
 * Change-feed consumer: a field definition put into `indexState: building` (filterable or unique
 * turned on) gets its index items backfilled over the tenant's existing records, a chunk per
 * invocation. Each chunk ends with a checkpoint write on the definition item, whose own stream
 * record triggers the next chunk, until the build is `ready` or `failed`. Redelivered records
 * resume from the checkpoint (index writes are idempotent). Errors become batch item failures.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  const done = new Set<string>();
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName === 'REMOVE' || !image) continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.entity !== 'field-definition' || item.indexState !== 'building' || item.status !== 'active') continue;
    if (!(INDEXED_OBJECT_TYPES as readonly string[]).includes(item.objectType)) continue;
    // Several records of one definition in a batch: the first run reads its current state anyway.
    const id = `${item.pk}\u0000${item.sk}`;
    if (done.has(id)) continue;
    done.add(id);
    try {
      // Confined to the definition's tenant: a build never reads or writes outside its key space.
      const store = await container.storeFor(item.tenantId as string);
      const outcome = await buildFieldIndex(
        { store, clock: container.clock },
        item.tenantId as string,
        item.objectType as (typeof INDEXED_OBJECT_TYPES)[number],
        item.key as string,
      );
      container.logger.info('field index build', { tenantId: item.tenantId, field: `${item.objectType}.${item.key}`, ...outcome });
    } catch (error) {
      container.logger.error('field index build failed', { error: error as Error, tenantId: item.tenantId, field: `${item.objectType}.${item.key}` });
      batchItemFailures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! });
    }
  }
  return { batchItemFailures };
};
