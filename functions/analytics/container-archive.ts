import { S3Client } from '@aws-sdk/client-s3';
import { LocalArchiveStore } from '@crm/adapters/local-archive';
import { S3ArchiveStore } from '@crm/adapters/s3-archive';
import type { ArchiveStore } from '@crm/core';
import { parseConfig, type Container } from '@crm/runtime';
import * as z from 'zod';
import { localDataEnv, localLakeRoot, S3BucketName } from './container-lake';

/**
 * Archive configuration. In AWS the archive is the lake bucket's `archive/` prefixes; infra sets
 * `ARCHIVE_BUCKET` on functions with `buckets: ['archive']` (policy on `archive/timeline/` only) and
 * `CUSTOMER_ARCHIVE_BUCKET` on those with `buckets: ['customer-archive']` (`archive/customers/` only).
 * Both name the same bucket; at least one is required, so a function without either fails the cold
 * start. IAM, not this adapter, keeps each function to its prefixes.
 */
export const AwsArchiveConfig = z.object({
  AWS_REGION: z.string().min(1),
  ARCHIVE_BUCKET: S3BucketName.optional(),
  CUSTOMER_ARCHIVE_BUCKET: S3BucketName.optional(),
}).refine((c) => c.ARCHIVE_BUCKET ?? c.CUSTOMER_ARCHIVE_BUCKET, { message: 'ARCHIVE_BUCKET or CUSTOMER_ARCHIVE_BUCKET is required', path: ['ARCHIVE_BUCKET'] });

/**
 * The archive store of a runtime: the lake bucket's `archive/` prefixes in AWS (one S3 client per
 * container; see AwsArchiveConfig), the local lake folder otherwise (`<CRM_DATA_DIR>/lake/archive/`).
 */
export function archiveStoreFromEnv(env: Record<string, string | undefined>): ArchiveStore {
  if (env.CRM_RUNTIME === 'aws') {
    const config = parseConfig(AwsArchiveConfig, env);
    return new S3ArchiveStore({ client: new S3Client({ region: config.AWS_REGION }), bucket: (config.ARCHIVE_BUCKET ?? config.CUSTOMER_ARCHIVE_BUCKET)! });
  }
  return new LocalArchiveStore({ root: localLakeRoot(env) });
}

const stores = new WeakMap<Container, ArchiveStore>();

/**
 * The container's archive store, kept across warm invocations. A composition root that provides
 * one (`archive`) wins; locally it sits in the same lake folder as the lake writer of the container
 * (each local server and test server has its own data folder).
 */
export function archiveStoreOf(container: Container, env: Record<string, string | undefined> = process.env): ArchiveStore {
  let store = stores.get(container);
  if (!store) {
    store = (container as Container & { archive?: ArchiveStore }).archive ?? archiveStoreFromEnv(localDataEnv(container, env));
    stores.set(container, store);
  }
  return store;
}
