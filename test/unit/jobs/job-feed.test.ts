import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { runnableJobsOf } from '../../../functions/customers/job-feed';

const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', seq: string, image: Record<string, unknown> | undefined) => ({
  eventName, dynamodb: { SequenceNumber: seq, ...(image ? { NewImage: marshall(image) } : {}) },
});

describe('runnableJobsOf (run-jobs stream batch)', () => {
  it('keeps queued/running job items only, one target per job at its newest version', () => {
    const job = (id: string, status: string, version: number) => ({ pk: `T#acme#JOB#${id}`, sk: 'JOB', entity: 'job', tenantId: 'acme', id, status, version });
    const event = {
      Records: [
        record('INSERT', '1', job('A', 'queued', 1)),
        record('MODIFY', '2', job('A', 'running', 2)),
        record('MODIFY', '3', job('B', 'succeeded', 5)),
        record('INSERT', '4', { pk: 'T#acme#C#X', sk: 'PROFILE', entity: 'customer', tenantId: 'acme', id: 'X', status: 'queued', version: 1 }),
        record('REMOVE', '5', undefined),
        record('MODIFY', '6', job('C', 'awaiting-upload', 1)),
        record('INSERT', '7', { ...job('D', 'queued', 1), tenantId: 'globex' }),
      ],
    } as unknown as DynamoDBStreamEvent;
    expect(runnableJobsOf(event)).toEqual([
      { tenantId: 'acme', id: 'A', version: 2, sequence: '2' },
      { tenantId: 'globex', id: 'D', version: 1, sequence: '7' },
    ]);
  });
});
