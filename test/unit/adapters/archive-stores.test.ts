import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, NoSuchKey, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalArchiveStore } from '@crm/adapters/local-archive';
import { S3ArchiveStore } from '@crm/adapters/s3-archive';
import { archiveFileName, type Item } from '@crm/core';

const item = (day: number, id: string): Item => ({
  pk: 'T#acme#C#C1', sk: `TL#2025-01-${String(day).padStart(2, '0')}T00:00:00.000Z#${id}`, entity: 'interaction', tenantId: 'acme', customerId: 'C1', id, expiresAt: 1,
});

describe('LocalArchiveStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'crm-archive-store-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const store = new LocalArchiveStore({ root });
  const folder = join(root, 'archive/timeline/tenant=acme/customer=C1');

  it('writes one file per batch named after its items, so a redelivery replaces it', async () => {
    const batch = [item(1, 'a'), item(3, 'c')];
    const name = await store.append('acme', 'C1', batch);
    expect(name).toBe(archiveFileName(batch));
    expect(await store.append('acme', 'C1', [...batch].reverse())).toBe(name);
    expect(readdirSync(folder)).toEqual([name]);
    expect(await store.append('acme', 'C1', [])).toBe('');
  });

  it('reads distinct items newest first, in pages before a sort key, and counts them per tenant', async () => {
    await store.append('acme', 'C1', [item(2, 'b'), item(3, 'c')]); // c again, in another file
    await store.append('acme', 'C2', [{ ...item(9, 'z'), pk: 'T#acme#C#C2', customerId: 'C2' }]);
    expect(await store.read('acme', 'C1', { limit: 2 })).toEqual({ items: [item(3, 'c'), item(2, 'b')], more: true });
    expect(await store.read('acme', 'C1', { limit: 2, beforeSk: item(2, 'b').sk })).toEqual({ items: [item(1, 'a')], more: false });
    expect(await store.count('acme')).toBe(4);
    expect(await store.count('globex')).toBe(0);
    expect(await store.read('globex', 'C1', { limit: 5 })).toEqual({ items: [], more: false });
  });

  it('keeps an archived profile per customer under archive/customers/, replaced on write, outside the timeline count', async () => {
    const profile = { pk: 'T#acme#C#C9', sk: 'PROFILE', entity: 'customer', id: 'C9', version: 4, phones: 'enc:v1:sealed' };
    expect(await store.getProfile('acme', 'C9')).toBeUndefined();
    await store.putProfile('acme', 'C9', { ...profile, version: 3 });
    await store.putProfile('acme', 'C9', profile);
    expect(readdirSync(join(root, 'archive/customers/tenant=acme/customer=C9'))).toEqual(['profile.json']);
    expect(await store.getProfile('acme', 'C9')).toEqual(profile);
    expect(await store.count('acme')).toBe(4);
    await store.removeProfile('acme', 'C9');
    await store.removeProfile('acme', 'C9');
    expect(await store.getProfile('acme', 'C9')).toBeUndefined();
    await expect(store.putProfile('acme', '../C1', profile)).rejects.toThrow(/Invalid archive customer id/);
  });

  it('removes exactly the named files and refuses ids that would leave their folder', async () => {
    const batches = await store.batches('acme', 'C1');
    expect(batches).toHaveLength(2);
    await store.remove('acme', 'C1', [batches[0]!.name, '../x.jsonl']);
    expect((await store.batches('acme', 'C1')).map((b) => b.name)).toEqual([batches[1]!.name]);
    await expect(store.append('acme', '../C2', [item(1, 'a')])).rejects.toThrow(/Invalid archive customer id/);
    await expect(store.count('ac/me')).rejects.toThrow(/Invalid archive tenant id/);
  });
});

describe('S3ArchiveStore (command inputs)', () => {
  const s3 = mockClient(S3Client);
  const store = new S3ArchiveStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'crm-lake' });
  // The SDK's Node body (a stream with transformToString), reduced to what the adapter uses.
  const body = (text: string) => ({ transformToString: async () => text }) as never;
  beforeEach(() => s3.reset());

  it('puts a batch as JSON lines under the customer prefix of the archive', async () => {
    s3.on(PutObjectCommand).resolves({});
    const batch = [item(1, 'a'), item(2, 'b')];
    const name = await store.append('acme', 'C1', batch);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toEqual([{
      Bucket: 'crm-lake', Key: `archive/timeline/tenant=acme/customer=C1/${name}`, ContentType: 'application/x-ndjson',
      Body: `${JSON.stringify(batch[0])}\n${JSON.stringify(batch[1])}\n`,
    }]);
  });

  it('lists and gets the customer files to read, and lists the tenant prefix to count', async () => {
    s3.on(ListObjectsV2Command, { Prefix: 'archive/timeline/tenant=acme/customer=C1/' })
      .resolves({ IsTruncated: true, NextContinuationToken: 't2', Contents: [{ Key: 'archive/timeline/tenant=acme/customer=C1/f1.jsonl' }] });
    s3.on(ListObjectsV2Command, { Prefix: 'archive/timeline/tenant=acme/customer=C1/', ContinuationToken: 't2' })
      .resolves({ Contents: [{ Key: 'archive/timeline/tenant=acme/customer=C1/f2.jsonl' }] });
    s3.on(ListObjectsV2Command, { Prefix: 'archive/timeline/tenant=acme/' })
      .resolves({ Contents: [{ Key: 'archive/timeline/tenant=acme/customer=C1/f1.jsonl' }, { Key: 'archive/timeline/tenant=acme/customer=C1/f2.jsonl' }] });
    s3.on(GetObjectCommand, { Key: 'archive/timeline/tenant=acme/customer=C1/f1.jsonl' }).callsFake(() => ({ Body: body(`${JSON.stringify(item(1, 'a'))}\n`) }));
    s3.on(GetObjectCommand, { Key: 'archive/timeline/tenant=acme/customer=C1/f2.jsonl' }).callsFake(() => ({ Body: body(`${JSON.stringify(item(2, 'b'))}\n${JSON.stringify(item(1, 'a'))}\n`) }));

    expect(await store.read('acme', 'C1', { limit: 5 })).toEqual({ items: [item(2, 'b'), item(1, 'a')], more: false });
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'crm-lake', Prefix: 'archive/timeline/tenant=acme/customer=C1/' },
      { Bucket: 'crm-lake', Prefix: 'archive/timeline/tenant=acme/customer=C1/', ContinuationToken: 't2' },
    ]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'crm-lake', Key: 'archive/timeline/tenant=acme/customer=C1/f1.jsonl' },
      { Bucket: 'crm-lake', Key: 'archive/timeline/tenant=acme/customer=C1/f2.jsonl' },
    ]);
    expect(await store.count('acme')).toBe(2);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix)).toContain('archive/timeline/tenant=acme/');
  });

  it('deletes exactly the named files', async () => {
    s3.on(DeleteObjectsCommand).resolves({});
    await store.remove('acme', 'C1', ['f1.jsonl', 'not a file']);
    expect(s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'crm-lake', Delete: { Objects: [{ Key: 'archive/timeline/tenant=acme/customer=C1/f1.jsonl' }], Quiet: true } },
    ]);
  });
});

describe('S3ArchiveStore profiles (command inputs)', () => {
  const s3 = mockClient(S3Client);
  const store = new S3ArchiveStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'crm-lake' });
  const profile = { pk: 'T#acme#C#C1', sk: 'PROFILE', entity: 'customer', id: 'C1', version: 2 };
  beforeEach(() => s3.reset());

  it('puts, gets and deletes archive/customers/tenant=<t>/customer=<c>/profile.json; a missing one is undefined', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    s3.on(GetObjectCommand).callsFakeOnce(() => ({ Body: { transformToString: async () => JSON.stringify(profile) } as never }))
      .rejectsOnce(new NoSuchKey({ message: 'gone', $metadata: {} }));
    await store.putProfile('acme', 'C1', profile);
    expect(await store.getProfile('acme', 'C1')).toEqual(profile);
    expect(await store.getProfile('acme', 'C1')).toBeUndefined();
    await store.removeProfile('acme', 'C1');
    const key = 'archive/customers/tenant=acme/customer=C1/profile.json';
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'crm-lake', Key: key, Body: JSON.stringify(profile), ContentType: 'application/json' }]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'crm-lake', Key: key }, { Bucket: 'crm-lake', Key: key }]);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'crm-lake', Key: key }]);
  });
});

describe('archive store selection', () => {
  it('uses the archive bucket in AWS and refuses to start without it; the local lake folder otherwise', async () => {
    const { archiveStoreFromEnv } = await import('../../../functions/analytics/container-archive');
    expect(archiveStoreFromEnv({ CRM_RUNTIME: 'aws', AWS_REGION: 'eu-west-1', ARCHIVE_BUCKET: 'crm-lake' })).toBeInstanceOf(S3ArchiveStore);
    // The customer-archiving job has only the customer-profile prefix's bucket variable.
    expect(archiveStoreFromEnv({ CRM_RUNTIME: 'aws', AWS_REGION: 'eu-west-1', CUSTOMER_ARCHIVE_BUCKET: 'crm-lake' })).toBeInstanceOf(S3ArchiveStore);
    expect(() => archiveStoreFromEnv({ CRM_RUNTIME: 'aws', AWS_REGION: 'eu-west-1', ARCHIVE_BUCKET: 'Not A Bucket' })).toThrow(/ARCHIVE_BUCKET/);
    expect(() => archiveStoreFromEnv({ CRM_RUNTIME: 'aws', AWS_REGION: 'eu-west-1', LAKE_BUCKET: 'crm-lake' })).toThrow(/ARCHIVE_BUCKET/);
    expect(archiveStoreFromEnv({ CRM_DATA_DIR: '/tmp/crm-x' })).toBeInstanceOf(LocalArchiveStore);
  });
});
