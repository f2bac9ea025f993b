import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { createLocalBlobStore } from '@crm/adapters/local-blob';
import { createS3BlobStore } from '@crm/adapters/s3';
import { BlobRetentionError } from '@crm/core';

/** Per-object Object Lock retention on presigned uploads: S3 (offline presigning) and the local store. */
const NOW = new Date('2026-11-25T12:00:00.000Z');
const KEY = 'recordings/tenant=acme/01J00000000000000000000001/01J00000000000000000000002.mp3';
const MD5 = '1B2M2Y8AsgTpgAmY7PhCfg==';
const retention = { mode: 'GOVERNANCE' as const, retainUntil: '2027-01-24T12:00:00.000Z' };
const LOCK_HEADERS = ['x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date'];

describe('S3 presigned upload with a retention', () => {
  it('signs the lock headers, keeps them out of the query string, and returns exactly the values it signed', async () => {
    const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
    // The serialised request the presigner signs (headers as the SDK wrote them).
    let signed: Record<string, string> = {};
    client.middlewareStack.add((next) => async (args) => {
      signed = { ...(args.request as { headers: Record<string, string> }).headers };
      return next(args);
    }, { step: 'build', priority: 'low', name: 'captureSignedHeaders' });
    const blobs = createS3BlobStore({ client, bucket: 'recordings-bucket', now: () => NOW });

    const upload = await blobs.presignUpload(KEY, { contentType: 'audio/mpeg', expiresInSeconds: 900, contentMd5: MD5, retention });
    const url = new URL(upload.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-md5;content-type;host;x-amz-object-lock-mode;x-amz-object-lock-retain-until-date');
    for (const name of LOCK_HEADERS) expect(url.searchParams.has(name)).toBe(false);
    expect(upload.headers).toEqual({
      'content-type': 'audio/mpeg', 'content-md5': MD5,
      'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': '2027-01-24T12:00:00Z',
    });
    for (const name of [...LOCK_HEADERS, 'content-md5', 'content-type']) expect({ name, value: upload.headers[name] }).toEqual({ name, value: signed[name] });

    // Milliseconds survive as the SDK writes them.
    const precise = await blobs.presignUpload(KEY, { contentType: 'audio/mpeg', expiresInSeconds: 900, contentMd5: MD5, retention: { mode: 'GOVERNANCE', retainUntil: '2027-01-24T12:00:00.250Z' } });
    expect([precise.headers['x-amz-object-lock-retain-until-date'], signed['x-amz-object-lock-retain-until-date']]).toEqual(['2027-01-24T12:00:00.250Z', '2027-01-24T12:00:00.250Z']);

    // Without a retention the bucket default applies: no lock headers at all.
    const plain = await blobs.presignUpload(KEY, { contentType: 'audio/mpeg', expiresInSeconds: 900, contentMd5: MD5 });
    expect(new URL(plain.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-md5;content-type;host');
    expect(Object.keys(plain.headers).sort()).toEqual(['content-md5', 'content-type']);
  });
});

describe('local blob store retention', () => {
  const bytes = async function* () {
    yield Buffer.from('audio');
  };

  it('signs the retention into the upload URL and hands out the lock headers', async () => {
    const blobs = createLocalBlobStore(mkdtempSync(join(tmpdir(), 'crm-blobs-')), { urlSigningKey: Buffer.alloc(32, 7), now: () => NOW });
    const upload = await blobs.presignUpload(KEY, { contentType: 'audio/mpeg', expiresInSeconds: 900, retention });
    expect(upload.headers).toEqual({ 'content-type': 'audio/mpeg', 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': retention.retainUntil });
    expect(blobs.verifySignedUrl('PUT', upload.url)).toEqual({ method: 'PUT', key: KEY, contentType: 'audio/mpeg', retention });
    // A shortened (or removed) retention breaks the signature.
    expect(blobs.verifySignedUrl('PUT', upload.url.replace('lu=2027', 'lu=2026'))).toBeUndefined();
    expect(blobs.verifySignedUrl('PUT', upload.url.replace(/&lm=[^&]*&lu=[^&]*/, ''))).toBeUndefined();
  });

  it('refuses to delete before the retain-until date (by the store clock), never shortens it, and deletes afterwards', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crm-blobs-'));
    let now = NOW;
    const blobs = createLocalBlobStore(root, { now: () => now });
    await blobs.putStream(KEY, bytes(), 'audio/mpeg', { retention });
    expect(await blobs.list('recordings/')).toEqual([KEY]);
    expect(await blobs.retentionOf(KEY)).toEqual(retention);

    const refused = await blobs.delete(KEY).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(BlobRetentionError);
    expect((refused as Error).message).toBe(`Object ${KEY} is under retention until 2027-01-24T12:00:00.000Z and cannot be deleted before then`);
    expect(await blobs.size(KEY)).toBe(5);

    // A second upload with a shorter retention keeps the longer one.
    await blobs.putStream(KEY, bytes(), 'audio/mpeg', { retention: { mode: 'GOVERNANCE', retainUntil: '2026-12-01T00:00:00.000Z' } });
    expect(await blobs.retentionOf(KEY)).toEqual(retention);
    now = new Date('2027-01-24T11:59:59.999Z');
    await expect(blobs.delete(KEY)).rejects.toBeInstanceOf(BlobRetentionError);

    now = new Date('2027-01-24T12:00:00.000Z');
    await blobs.delete(KEY);
    expect(await blobs.size(KEY)).toBeUndefined();
    expect(await blobs.retentionOf(KEY)).toBeUndefined();
    expect(await readdir(join(root, 'recordings', 'tenant=acme', '01J00000000000000000000001'))).toEqual([]);
  });

  it('deletes objects without a retention as before', async () => {
    const blobs = createLocalBlobStore(mkdtempSync(join(tmpdir(), 'crm-blobs-')), { now: () => NOW });
    await blobs.putStream(KEY, bytes(), 'audio/mpeg');
    await blobs.delete(KEY);
    expect(await blobs.size(KEY)).toBeUndefined();
  });
});
