import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compactedName, ParquetFiles } from '@crm/adapters/local-lake';
import { PARQUET_CONTENT_TYPE, S3LakeWriter } from '@crm/adapters/s3-lake';
import type { LakeRow } from '@crm/core';

const T = '01JTENANT00000000000000000';
const PREFIX = `interactions/tenant=${T}/dt=2026-03-02`;
const row = (id: string): LakeRow => ({ tenant_id: T, interaction_id: id, customer_id: 'c1', channel: 'wechat', type: 'message', occurred_at: '2026-03-02T10:00:00.000Z' });

/** Command inputs only: the Parquet bytes are made by the same code as the local lake's (tested there). */
describe('S3LakeWriter', () => {
  const s3 = mockClient(S3Client);
  const client = () => new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' } });
  let scratch: string;
  let lake: S3LakeWriter;
  const parquet = new ParquetFiles();
  let fileA: Buffer;
  let fileB: Buffer;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'crm-s3-lake-test-'));
    await parquet.write('interactions', [row('i1')], join(scratch, 'a.parquet'));
    await parquet.write('interactions', [row('i2'), row('i3')], join(scratch, 'b.parquet'));
    fileA = await readFile(join(scratch, 'a.parquet'));
    fileB = await readFile(join(scratch, 'b.parquet'));
  });
  afterAll(async () => {
    await lake?.close();
    await parquet.close();
    await rm(scratch, { recursive: true, force: true });
  });
  beforeEach(() => {
    s3.reset();
    lake = new S3LakeWriter({ client: client(), bucket: 'lake-bucket', scratchDir: scratch, now: () => Date.parse('2026-03-02T12:00:00Z') });
  });

  it('puts one Parquet object per partition and batch under the Hive key', async () => {
    s3.on(PutObjectCommand).resolves({});
    await lake.append({ table: 'interactions', tenantId: T, dt: '2026-03-02' }, '4900000000000000001', [row('i1'), row('i2')]);
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect({ ...input, Body: undefined }).toEqual({ Bucket: 'lake-bucket', Key: `${PREFIX}/4900000000000000001.parquet`, ContentType: PARQUET_CONTENT_TYPE, Body: undefined });
    const body = input.Body as Buffer;
    expect(body.subarray(0, 4).toString()).toBe('PAR1');
    expect(body.subarray(-4).toString()).toBe('PAR1');
    // Nothing to write, nothing put.
    await lake.append({ table: 'interactions', tenantId: T, dt: '2026-03-02' }, '1', []);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('compacts: lists the partition, reads its files, puts the plan, then the merged file, then deletes the inputs and the plan', async () => {
    const settled = new Date('2026-03-02T10:00:00Z');
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: `${PREFIX}/100.parquet`, LastModified: settled },
        { Key: `${PREFIX}/200.parquet`, LastModified: settled },
        // Written a minute ago: may still be redelivered, so it stays.
        { Key: `${PREFIX}/300.parquet`, LastModified: new Date('2026-03-02T11:59:00Z') },
      ],
    });
    s3.on(GetObjectCommand, { Key: `${PREFIX}/100.parquet` }).resolves({ Body: Readable.from([fileA]) as never });
    s3.on(GetObjectCommand, { Key: `${PREFIX}/200.parquet` }).resolves({ Body: Readable.from([fileB]) as never });
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});

    const output = compactedName(['100.parquet', '200.parquet']);
    expect(await lake.compact({ table: 'interactions', tenantId: T, dt: '2026-03-02' }, { settledMs: 30 * 60_000 })).toEqual({ merged: 2, rows: 3, file: output });

    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toEqual({ Bucket: 'lake-bucket', Prefix: `${PREFIX}/`, ContinuationToken: undefined });
    const order = s3.calls().map((call) => {
      const input = call.args[0].input as { Key?: string; Delete?: { Objects: Array<{ Key: string }> } };
      return `${call.args[0].constructor.name} ${input.Key ?? input.Delete?.Objects.map((o) => o.Key).join(',') ?? ''}`.trim();
    });
    expect(order).toEqual([
      'ListObjectsV2Command',
      `GetObjectCommand ${PREFIX}/100.parquet`,
      `GetObjectCommand ${PREFIX}/200.parquet`,
      `PutObjectCommand ${PREFIX}/_compaction.json`,
      `PutObjectCommand ${PREFIX}/${output}`,
      `DeleteObjectsCommand ${PREFIX}/100.parquet,${PREFIX}/200.parquet`,
      `DeleteObjectCommand ${PREFIX}/_compaction.json`,
    ]);
    const plan = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(JSON.parse(plan.Body as string)).toEqual({ output, inputs: ['100.parquet', '200.parquet'] });
    expect((s3.commandCalls(PutObjectCommand)[1]!.args[0].input.Body as Buffer).subarray(0, 4).toString()).toBe('PAR1');
  });

  it('finishes an interrupted compaction (plan and merged file present) before anything else', async () => {
    const output = compactedName(['100.parquet', '200.parquet']);
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: `${PREFIX}/_compaction.json` }, { Key: `${PREFIX}/${output}` }, { Key: `${PREFIX}/200.parquet` }] })
      .resolves({ Contents: [{ Key: `${PREFIX}/${output}`, LastModified: new Date(0) }] });
    s3.on(GetObjectCommand, { Key: `${PREFIX}/_compaction.json` }).resolves({ Body: Readable.from([Buffer.from(JSON.stringify({ output, inputs: ['100.parquet', '200.parquet'] }))]) as never });
    s3.on(DeleteObjectsCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});

    expect(await lake.compact({ table: 'interactions', tenantId: T, dt: '2026-03-02' })).toEqual({ merged: 0, rows: 0 });
    expect(s3.commandCalls(DeleteObjectsCommand)[0]!.args[0].input).toEqual({
      Bucket: 'lake-bucket', Delete: { Objects: [{ Key: `${PREFIX}/100.parquet` }, { Key: `${PREFIX}/200.parquet` }], Quiet: true },
    });
    expect(s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'lake-bucket', Key: `${PREFIX}/_compaction.json` });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('lists the tenants of a table from its tenant prefixes alone when no date is asked', async () => {
    s3.on(ListObjectsV2Command, { Prefix: 'orders/tenant=', Delimiter: '/' })
      .resolvesOnce({ CommonPrefixes: [{ Prefix: 'orders/tenant=B/' }], IsTruncated: true, NextContinuationToken: 'n' })
      .resolvesOnce({ CommonPrefixes: [{ Prefix: 'orders/tenant=A/' }] });
    expect(await lake.tenantsWithPartition('orders')).toEqual(['A', 'B']);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(2);
  });

  it('finds the tenants with a partition on a date from the tenant prefixes', async () => {
    s3.on(ListObjectsV2Command, { Prefix: 'orders/tenant=', Delimiter: '/' }).resolves({ CommonPrefixes: [{ Prefix: 'orders/tenant=A/' }, { Prefix: 'orders/tenant=B/' }] });
    s3.on(ListObjectsV2Command, { Prefix: 'orders/tenant=A/dt=2026-03-02/' }).resolves({ KeyCount: 1, Contents: [{ Key: 'orders/tenant=A/dt=2026-03-02/1.parquet' }] });
    s3.on(ListObjectsV2Command, { Prefix: 'orders/tenant=B/dt=2026-03-02/' }).resolves({ KeyCount: 0 });
    expect(await lake.tenantsWithPartition('orders', '2026-03-02')).toEqual(['A']);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'lake-bucket', Prefix: 'orders/tenant=', Delimiter: '/', ContinuationToken: undefined },
      { Bucket: 'lake-bucket', Prefix: 'orders/tenant=A/dt=2026-03-02/', MaxKeys: 1 },
      { Bucket: 'lake-bucket', Prefix: 'orders/tenant=B/dt=2026-03-02/', MaxKeys: 1 },
    ]);
  });

  it('treats a missing compaction plan as none', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: `${PREFIX}/_compaction.json` }] });
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
    expect(await lake.compact({ table: 'interactions', tenantId: T, dt: '2026-03-02' })).toEqual({ merged: 0, rows: 0 });
  });
});
