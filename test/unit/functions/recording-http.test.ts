import { afterEach, describe, expect, it } from 'vitest';
import { createAwsContainer, type Container } from '@crm/runtime';
import { recordingsOf } from '../../../functions/interactions/recording-http';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const awsEnv = { CRM_RUNTIME: 'aws', TABLE_NAME: 'crm', AWS_REGION: 'eu-west-1', RECORDINGS_BUCKET: 'crm-recordings', IMPORTS_BUCKET: 'crm-imports' };

describe('transfer and recording stores of the AWS container', () => {
  it('presigns recording uploads S3 accepts for Object Lock (Content-MD5 signed, no empty-body checksum)', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
    const store = recordingsOf(createAwsContainer(awsEnv));
    const upload = await store.presignUpload('recordings/tenant=a/c/i.mp3', { contentType: 'audio/mpeg', expiresInSeconds: 900, contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==' });
    const url = new URL(upload.url);
    expect(url.hostname).toBe('crm-recordings.s3.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-md5;content-type;host');
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().includes('checksum'))).toEqual([]);
  });

  it('presigns import uploads without a checksum of the empty presign-time body', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
    const upload = await createAwsContainer(awsEnv).transfers!.presignUpload('jobs/tenant=a/imports/x/upload.csv', { contentType: 'text/csv', expiresInSeconds: 900 });
    const url = new URL(upload.url);
    expect(url.hostname).toBe('crm-imports.s3.eu-west-1.amazonaws.com');
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().includes('checksum'))).toEqual([]);
  });

  it('refuses a function without the bucket', () => {
    expect(() => recordingsOf({} as Container)).toThrow(/recordings/);
    const { RECORDINGS_BUCKET: _r, ...withoutRecordings } = awsEnv;
    expect(createAwsContainer(withoutRecordings).recordings).toBeUndefined();
  });
});
