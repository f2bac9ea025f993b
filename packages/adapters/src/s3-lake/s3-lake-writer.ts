import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertLakeBatchId,
  lakePartitionPrefix,
  type LakeCompaction,
  type LakePartition,
  type LakeRow,
  type LakeTable,
  type LakeWriter,
} from '@crm/core';
import { ParquetFiles } from '../local-lake/parquet-files';
import { COMPACTION_PLAN_FILE, planCompaction, type CompactionPlan, type LakeFileStamp } from '../local-lake/lake-compaction';

export interface S3LakeWriterOptions {
  /** Created once per container by the composition root. */
  client: S3Client;
  /** The lake bucket (SSE-KMS with the data key is its default; no per-request headers). */
  bucket: string;
  /** Local scratch folder for Parquet files on their way in or out (Lambda: /tmp). */
  scratchDir?: string;
  /** Milliseconds since the epoch (decides which files are settled enough to compact). */
  now?: () => number;
}

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

/**
 * The lake in its bucket: `<table>/tenant=<t>/dt=<d>/<batch-id>.parquet`, the files made exactly
 * as the local writer makes them (embedded DuckDB, in the scratch folder), then PutObject. A
 * PutObject is atomic, so readers never see half a file; the compaction plan is named
 * `_compaction.json` because Athena skips objects whose names start with `_`.
 */
export class S3LakeWriter implements LakeWriter {
  private readonly parquet = new ParquetFiles();
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly scratchDir: string;
  private readonly now: () => number;

  constructor(options: S3LakeWriterOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.scratchDir = options.scratchDir ?? tmpdir();
    this.now = options.now ?? Date.now;
  }

  async append(partition: LakePartition, batchId: string, rows: readonly LakeRow[]): Promise<void> {
    assertLakeBatchId(batchId);
    if (rows.length === 0) return;
    const key = `${lakePartitionPrefix(partition)}/${batchId}.parquet`;
    await this.withScratch(async (scratch) => {
      const file = join(scratch, `${batchId}.parquet`);
      await this.parquet.write(partition.table, rows, file);
      await this.put(key, await readFile(file), PARQUET_CONTENT_TYPE);
    });
  }

  async files(partition: LakePartition): Promise<string[]> {
    return (await this.objects(partition)).map((o) => o.name).filter((name) => name.endsWith('.parquet')).sort();
  }

  async tenantsWithPartition(table: LakeTable, dt?: string): Promise<string[]> {
    const tenants: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${table}/tenant=`, Delimiter: '/', ContinuationToken: token }));
      for (const { Prefix } of page.CommonPrefixes ?? []) {
        const tenantId = Prefix!.slice(`${table}/tenant=`.length, -1);
        if (dt === undefined) {
          tenants.push(tenantId);
          continue;
        }
        const probe = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${Prefix}dt=${dt}/`, MaxKeys: 1 }));
        if ((probe.KeyCount ?? probe.Contents?.length ?? 0) > 0) tenants.push(tenantId);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return tenants.sort();
  }

  async compact(partition: LakePartition, options: { minFiles?: number; settledMs?: number } = {}): Promise<LakeCompaction> {
    const prefix = lakePartitionPrefix(partition);
    let objects = await this.objects(partition);
    if (objects.some((o) => o.name === COMPACTION_PLAN_FILE)) {
      await this.finishInterrupted(prefix, objects);
      objects = await this.objects(partition);
    }
    const plan = planCompaction(objects, this.now(), options);
    if (!plan) return { merged: 0, rows: 0 };
    const settled = plan.inputs;
    return this.withScratch(async (scratch) => {
      const inputs: string[] = [];
      for (const name of settled) {
        const file = join(scratch, name);
        const body = await this.get(`${prefix}/${name}`);
        if (!body) throw new Error(`Lake object ${prefix}/${name} vanished during compaction`);
        await writeFile(file, body);
        inputs.push(file);
      }
      const merged = join(scratch, plan.output);
      const rows = await this.parquet.merge(partition.table, inputs, merged);
      // Plan, merged file, delete inputs, drop plan: a crash in between is finished by the next run.
      await this.put(`${prefix}/${COMPACTION_PLAN_FILE}`, JSON.stringify(plan), 'application/json');
      await this.put(`${prefix}/${plan.output}`, await readFile(merged), PARQUET_CONTENT_TYPE);
      await this.deleteInputs(prefix, plan);
      return { merged: settled.length, rows, file: plan.output };
    });
  }

  /** Releases the embedded DuckDB. */
  close(): Promise<void> {
    return this.parquet.close();
  }

  private async finishInterrupted(prefix: string, objects: LakeFileStamp[]): Promise<void> {
    const body = await this.get(`${prefix}/${COMPACTION_PLAN_FILE}`);
    if (!body) return;
    const plan = JSON.parse(body.toString('utf8')) as CompactionPlan;
    if (objects.some((o) => o.name === plan.output)) await this.deleteInputs(prefix, plan);
    else await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: `${prefix}/${COMPACTION_PLAN_FILE}` }));
  }

  private async deleteInputs(prefix: string, plan: CompactionPlan): Promise<void> {
    const keys = plan.inputs.filter((name) => name !== plan.output).map((name) => ({ Key: `${prefix}/${name}` }));
    // DeleteObjects takes at most 1000 keys per request.
    for (let i = 0; i < keys.length; i += 1000) {
      const result = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.slice(i, i + 1000), Quiet: true } }));
      if (result.Errors && result.Errors.length > 0) throw new Error(`Could not delete compacted lake objects: ${result.Errors.map((e) => `${e.Key} ${e.Code}`).join(', ')}`);
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: `${prefix}/${COMPACTION_PLAN_FILE}` }));
  }

  private async objects(partition: LakePartition): Promise<LakeFileStamp[]> {
    const prefix = `${lakePartitionPrefix(partition)}/`;
    const out: LakeFileStamp[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const name = object.Key!.slice(prefix.length);
        if (!name.includes('/')) out.push({ name, lastModified: object.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private async put(key: string, body: Buffer | string, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  private async get(key: string): Promise<Buffer | undefined> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      // In Node the body is a readable stream: collect its chunks.
      const chunks: Buffer[] = [];
      for await (const chunk of result.Body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks);
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  private async withScratch<T>(work: (folder: string) => Promise<T>): Promise<T> {
    const folder = await mkdtemp(join(this.scratchDir, `crm-lake-${randomUUID().slice(0, 8)}-`));
    try {
      return await work(folder);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }
}
