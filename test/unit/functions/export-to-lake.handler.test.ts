import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAwsContainer, setContainer, type Container } from '@crm/runtime';
import { lakeWriterFromEnv } from '../../../functions/analytics/container-lake';
import { handler } from '../../../functions/analytics/export-to-lake.handler';

const awsEnv = { CRM_RUNTIME: 'aws', TABLE_NAME: 'crm', AWS_REGION: 'eu-west-1', LAKE_BUCKET: 'crm-lake', POWERTOOLS_LOG_LEVEL: 'SILENT' };

function streamRecord(seq: string, id: string): DynamoDBRecord {
  return {
    eventID: `ev-${seq}`, eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: seq, ApproximateCreationDateTime: 1_772_000_000,
      NewImage: {
        entity: { S: 'interaction' }, tenantId: { S: 'acme' }, id: { S: id }, customerId: { S: 'c1' },
        channel: { S: 'sms' }, type: { S: 'message' }, occurredAt: { S: '2026-03-01T10:00:00.000Z' },
      },
    },
  };
}

describe('export-to-lake handler (AWS container)', () => {
  const s3 = mockClient(S3Client);
  const saved = { ...process.env };
  beforeEach(() => {
    s3.reset();
    // The function's environment, as Lambda sets it (the container and the lake writer both read it).
    Object.assign(process.env, awsEnv, { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
    setContainer(createAwsContainer(awsEnv));
  });
  afterEach(() => {
    process.env = { ...saved };
    setContainer(undefined as unknown as Container);
  });

  const event: DynamoDBStreamEvent = { Records: [streamRecord('1001', 'i1'), streamRecord('1002', 'i2')] };

  it('puts one Parquet file per partition named after the batch and reports no failure', async () => {
    s3.on(PutObjectCommand).resolves({});
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(PutObjectCommand).map((c) => [c.args[0].input.Bucket, c.args[0].input.Key])).toEqual([
      ['crm-lake', 'interactions/tenant=acme/dt=2026-03-01/1001.parquet'],
    ]);
  });

  it('fails the whole batch at its first record when a write fails, so the retry reuses the batch id', async () => {
    s3.on(PutObjectCommand).rejects(new Error('SlowDown'));
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: '1001' }] });
  });

  it('refuses to start in AWS without the lake bucket', () => {
    const { LAKE_BUCKET: _b, ...withoutBucket } = awsEnv;
    expect(() => lakeWriterFromEnv(withoutBucket)).toThrow(/LAKE_BUCKET/);
  });
});
