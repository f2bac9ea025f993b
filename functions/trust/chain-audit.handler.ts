import { unmarshall } from '@aws-sdk/util-dynamodb';
import { AUDIT_ENTITY, chainAndArchiveAuditRecords, toAuditEntry, type AuditFeedRecord, type BlobStore } from '@crm/core';
import { getContainer, type Container } from '@crm/runtime';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

/**
 * Change-feed consumer: links newly inserted audit records into their tenant's hash chain and
 * archives each chained record (S3 Object Lock in AWS, a folder locally). Partial failures are
 * reported per record; the feed resumes at the first failed one and redelivery is idempotent.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  // `blobs` joins the Container when the composition roots wire the audit archive.
  const container = getContainer() as Container & { blobs: BlobStore };
  const records: AuditFeedRecord[] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.entity !== AUDIT_ENTITY) continue;
    records.push({ ref: record.dynamodb!.SequenceNumber!, entry: toAuditEntry(item) });
  }
  if (records.length === 0) return { batchItemFailures: [] };
  const { failedRefs } = await chainAndArchiveAuditRecords({ store: container.store, blobs: container.blobs }, records, {
    onError: (error, tenantId) => container.logger.error('audit chain failed', { tenantId, error: error as Error }),
  });
  return { batchItemFailures: failedRefs.map((itemIdentifier) => ({ itemIdentifier })) };
};
