import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalBlobStore, type LocalBlobStore } from '@crm/adapters/local-blob';
import { createS3BlobStore } from '@crm/adapters/s3';

const KEY = 'jobs/tenant=acme/imports/01J9ZQ4V7Y8K3M2N1P0R5S6T7V/upload.csv';
const NOW = new Date('2026-11-25T12:00:00Z');

async function text(stream: AsyncIterable<Uint8Array> | undefined): Promise<string | undefined> {
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

describe('local transfer store', () => {
  let dir: string;
  let blobs: LocalBlobStore;
  let now = NOW;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crm-transfer-'));
    now = NOW;
    blobs = createLocalBlobStore(dir, { urlSigningKey: Buffer.alloc(32, 1), now: () => now });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('streams writes and reads from a byte offset, and reports sizes', async () => {
    async function* parts() {
      yield Buffer.from('name,phone\n');
      yield Buffer.from('张伟,1\n');
    }
    await blobs.putStream(KEY, parts(), 'text/csv');
    expect(await blobs.size(KEY)).toBe(Buffer.byteLength('name,phone\n张伟,1\n'));
    expect(await text(await blobs.openRead(KEY, { start: 11 }))).toBe('张伟,1\n');
    expect(await text(await blobs.openRead(KEY, { start: 999 }))).toBe('');
    expect(await blobs.openRead('jobs/none.csv')).toBeUndefined();
    expect(await blobs.size('jobs/none.csv')).toBeUndefined();
    await blobs.delete(KEY);
    expect(await blobs.size(KEY)).toBeUndefined();
  });

  it('signs URLs that allow exactly one method, key, content type and time window', async () => {
    const upload = await blobs.presignUpload(KEY, { contentType: 'text/csv', expiresInSeconds: 60 });
    expect(upload).toMatchObject({ method: 'PUT', headers: { 'content-type': 'text/csv' }, expiresAt: '2026-11-25T12:01:00.000Z' });
    expect(upload.url.startsWith('/_blobs/jobs/tenant%3Dacme/imports/')).toBe(true);
    expect(blobs.verifySignedUrl('PUT', upload.url)).toEqual({ method: 'PUT', key: KEY, contentType: 'text/csv' });
    expect(blobs.verifySignedUrl('GET', upload.url)).toBeUndefined();
    expect(blobs.verifySignedUrl('PUT', upload.url.replace('upload.csv', 'other.csv'))).toBeUndefined();
    expect(blobs.verifySignedUrl('PUT', upload.url.replace('ct=text%2Fcsv', 'ct=text%2Fhtml'))).toBeUndefined();
    const download = await blobs.presignDownload(KEY, { expiresInSeconds: 60, filename: '客户.csv' });
    expect(blobs.verifySignedUrl('GET', download.url)).toEqual({ method: 'GET', key: KEY, filename: '客户.csv' });
    now = new Date(NOW.getTime() + 61_000);
    expect(blobs.verifySignedUrl('PUT', upload.url)).toBeUndefined();
    const other = createLocalBlobStore(dir, { urlSigningKey: Buffer.alloc(32, 2), now: () => NOW });
    expect(other.verifySignedUrl('GET', download.url)).toBeUndefined();
    await expect(blobs.presignUpload(KEY, { contentType: 'text/csv', expiresInSeconds: 8 * 86_400 })).rejects.toThrow(RangeError);
  });
});

describe('S3 transfer store', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());
  const client = () => new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' } });
  const blobs = () => createS3BlobStore({ client: client(), bucket: 'imports-bucket', now: () => NOW });

  it('reads from an offset with a Range GetObject', async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('rest')]) as never });
    expect(await text(await blobs().openRead(KEY, { start: 42 }))).toBe('rest');
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'imports-bucket', Key: KEY, Range: 'bytes=42-' });
    await blobs().openRead(KEY);
    expect(s3.commandCalls(GetObjectCommand)[1]!.args[0].input).toEqual({ Bucket: 'imports-bucket', Key: KEY });
  });

  it('sizes with HeadObject (undefined when missing)', async () => {
    s3.on(HeadObjectCommand, { Key: KEY }).resolves({ ContentLength: 1234 });
    s3.on(HeadObjectCommand, { Key: 'jobs/none.csv' }).rejects(new NotFound({ message: 'no', $metadata: {} }));
    expect(await blobs().size(KEY)).toBe(1234);
    expect(await blobs().size('jobs/none.csv')).toBeUndefined();
  });

  it('presigns a PUT with the content type signed, and a GET with a download name (offline)', async () => {
    const upload = await blobs().presignUpload(KEY, { contentType: 'text/csv', expiresInSeconds: 3600 });
    const put = new URL(upload.url);
    expect(put.hostname).toBe('imports-bucket.s3.eu-west-1.amazonaws.com');
    expect(decodeURIComponent(put.pathname.slice(1))).toBe(KEY);
    expect(put.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(put.searchParams.get('X-Amz-Date')).toBe('20261125T120000Z');
    expect(put.searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
    expect(put.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(upload).toMatchObject({ method: 'PUT', headers: { 'content-type': 'text/csv' }, expiresAt: '2026-11-25T13:00:00.000Z' });
    // Object Lock buckets (recordings) need Content-MD5: signed, and a header the client must send.
    const locked = await blobs().presignUpload(KEY, { contentType: 'audio/mpeg', expiresInSeconds: 900, contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==' });
    expect(new URL(locked.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-md5;content-type;host');
    expect(locked.headers).toEqual({ 'content-type': 'audio/mpeg', 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' });

    const download = await blobs().presignDownload(KEY, { expiresInSeconds: 900, filename: '客户 errors.csv' });
    const get = new URL(download.url);
    expect(get.searchParams.get('response-content-disposition')).toBe(`attachment; filename="__ errors.csv"; filename*=UTF-8''${encodeURIComponent('客户 errors.csv')}`);
    expect(get.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(s3.calls()).toHaveLength(0); // presigning never calls S3
  });
});
