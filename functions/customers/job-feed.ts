import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isRunnableJobRecord } from '@crm/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';

export interface JobTarget {
  tenantId: string;
  id: string;
  version: number;
  /** Stream position of the newest record of the job in the batch (reported on failure). */
  sequence: string;
}

/** The queued/running jobs of a stream batch, one target per job (its newest version). */
export function runnableJobsOf(event: DynamoDBStreamEvent): JobTarget[] {
  const latest = new Map<string, JobTarget>();
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if ((record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') || !image) continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (!isRunnableJobRecord(item)) continue;
    latest.set(`${item.tenantId}/${item.id}`, { tenantId: item.tenantId, id: item.id, version: item.version, sequence: record.dynamodb!.SequenceNumber! });
  }
  return [...latest.values()];
}
