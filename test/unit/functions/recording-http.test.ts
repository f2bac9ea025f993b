import { afterEach, describe, expect, it } from 'vitest';
import type { Container } from '@crm/runtime';
import { recordingsOf } from '../../../functions/interactions/recording-http';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('recordings store selection', () => {
  it('uses RECORDINGS_BUCKET in AWS and presigns uploads S3 accepts for Object Lock (Content-MD5 signed, no empty-body checksum)', async () => {
    Object.assign(process.env, {
      CRM_RUNTIME: 'aws', RECORDINGS_BUCKET: 'crm-recordings', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret',
    });
    const store = recordingsOf({} as Container);
    const upload = await store.presignUpload('recordings/tenant=a/c/i.mp3', { contentType: 'audio/mpeg', expiresInSeconds: 900, contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==' });
    const url = new URL(upload.url);
    expect(url.hostname).toBe('crm-recordings.s3.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-md5;content-type;host');
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().includes('checksum'))).toEqual([]);
  });

  it('prefers the container store, falls back to the local transfer store, and refuses an unconfigured AWS function', () => {
    const own = { marker: 'own' };
    const transfers = { marker: 'transfers' };
    delete process.env.RECORDINGS_BUCKET;
    delete process.env.CRM_RUNTIME;
    expect(recordingsOf({ recordings: own, transfers } as unknown as Container)).toBe(own);
    expect(recordingsOf({ transfers } as unknown as Container)).toBe(transfers);
    process.env.CRM_RUNTIME = 'aws';
    expect(() => recordingsOf({ transfers } as unknown as Container)).toThrow(/recordings/);
  });
});
