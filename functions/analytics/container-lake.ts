import { S3Client } from '@aws-sdk/client-s3';
import { LocalBlobStore } from '@crm/adapters/local-blob';
import { LocalLakeWriter } from '@crm/adapters/local-lake';
import { S3LakeWriter } from '@crm/adapters/s3-lake';
import type { LakeWriter } from '@crm/core';
import { parseConfig, type Container } from '@crm/runtime';
import { dirname, join, resolve } from 'node:path';
import * as z from 'zod';

/** An S3 bucket name (the lake bucket and its archive prefixes are named through env). */
export const S3BucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name');

/**
 * Lake configuration. In AWS (`CRM_RUNTIME=aws`) the lake bucket is required — infra sets
 * `LAKE_BUCKET` on functions whose manifest entry has `buckets: ['lake']` — so a missing one fails
 * the cold start. Locally the lake is `<CRM_DATA_DIR>/lake/`.
 */
export const AwsLakeConfig = z.object({
  AWS_REGION: z.string().min(1),
  LAKE_BUCKET: S3BucketName,
});

/** The local lake folder of a data folder (the data folder's default matches the local runtime's `.crm`). */
export function localLakeRoot(env: Record<string, string | undefined>): string {
  return join(resolve(env.CRM_DATA_DIR ?? '.crm'), 'lake');
}

/** The lake writer of a runtime: the lake bucket in AWS (one S3 client per container), the local folder otherwise. */
export function lakeWriterFromEnv(env: Record<string, string | undefined>): LakeWriter {
  if (env.CRM_RUNTIME === 'aws') {
    const config = parseConfig(AwsLakeConfig, env);
    return new S3LakeWriter({ client: new S3Client({ region: config.AWS_REGION }), bucket: config.LAKE_BUCKET });
  }
  return new LocalLakeWriter({ root: localLakeRoot(env) });
}

const writers = new WeakMap<Container, LakeWriter>();

/**
 * The container's lake writer, kept across warm invocations. A composition root that provides one
 * (`lake`) wins; until the local one does, the local data folder is found through its blob store
 * (`<data>/blobs`), so each local server and test server writes to its own folder.
 */
export function lakeWriterOf(container: Container, env: Record<string, string | undefined> = process.env): LakeWriter {
  let writer = writers.get(container);
  if (!writer) {
    writer = (container as Container & { lake?: LakeWriter }).lake ?? lakeWriterFromEnv(localDataEnv(container, env));
    writers.set(container, writer);
  }
  return writer;
}

/**
 * The env a container's local adapters read: locally the data folder is found through the
 * container's blob store (`<data>/blobs`), so each local server and test server has its own lake.
 */
export function localDataEnv(container: Container, env: Record<string, string | undefined>): Record<string, string | undefined> {
  if (env.CRM_RUNTIME === 'aws' || !(container.blobs instanceof LocalBlobStore)) return env;
  return { ...env, CRM_DATA_DIR: dirname(dirname(container.blobs.fileOf('x'))) };
}
