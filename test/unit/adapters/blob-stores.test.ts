import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalBlobStore } from '@crm/adapters/local-blob';
import { createS3BlobStore } from '@crm/adapters/s3';
import type { BlobStore } from '@crm/core';

const KEY = 'audit/tenant=acme/date=2026-11-25/000000000000001-01J9ZQ4V7Y8K3M2N1P0R5S6T7V.json';

describe('local blob store', () => {
  let dir: string;
  let blobs: BlobStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crm-blobs-'));
    blobs = createLocalBlobStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores objects as files under the same key layout as the bucket', async () => {
    await blobs.put(KEY, '{"a":1}', 'application/json');
    await blobs.put('audit/tenant=globex/date=2026-11-25/x.json', Buffer.from('b'), 'application/json');
    expect(readFileSync(join(dir, ...KEY.split('/')), 'utf8')).toBe('{"a":1}');
    expect((await blobs.get(KEY))!.toString('utf8')).toBe('{"a":1}');
    expect(await blobs.get('audit/none.json')).toBeUndefined();
    expect(await blobs.list('audit/tenant=acme/')).toEqual([KEY]);
    expect(await blobs.list('')).toHaveLength(2);
    expect(await blobs.list('lake/')).toEqual([]);
  });

  it('refuses keys that could leave the folder', async () => {
    for (const bad of ['../x', '/abs', 'a//b', 'a/./b', 'a/../../b', '', 'a b']) {
      await expect(blobs.put(bad, 'x', 'text/plain'), bad).rejects.toThrow(RangeError);
    }
    await expect(blobs.list('audit')).rejects.toThrow(RangeError);
  });
});

describe('S3 blob store (command inputs)', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());
  const blobs = () => createS3BlobStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'audit-bucket' });

  it('puts with the content type and leaves encryption and retention to the bucket defaults', async () => {
    s3.on(PutObjectCommand).resolves({});
    await blobs().put(KEY, '{}', 'application/json');
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'audit-bucket', Key: KEY, Body: '{}', ContentType: 'application/json' });
  });

  it('gets bytes, and undefined for a missing key', async () => {
    s3.on(GetObjectCommand, { Key: KEY }).resolves({ Body: { transformToByteArray: async () => new Uint8Array(Buffer.from('hello')) } as never });
    s3.on(GetObjectCommand, { Key: 'missing.json' }).rejects(new NoSuchKey({ message: 'no', $metadata: {} }));
    expect((await blobs().get(KEY))!.toString('utf8')).toBe('hello');
    expect(await blobs().get('missing.json')).toBeUndefined();
  });

  it('lists every page under a prefix', async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({ Contents: [{ Key: 'audit/b' }], IsTruncated: true, NextContinuationToken: 't2' });
    s3.on(ListObjectsV2Command, { ContinuationToken: 't2' }).resolves({ Contents: [{ Key: 'audit/a' }], IsTruncated: false });
    expect(await blobs().list('audit/')).toEqual(['audit/a', 'audit/b']);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'audit-bucket', Prefix: 'audit/' },
      { Bucket: 'audit-bucket', Prefix: 'audit/', ContinuationToken: 't2' },
    ]);
  });
});
