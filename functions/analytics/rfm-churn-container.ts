import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { LakeTenantId, type AnalyticsEngine, type LakeTable } from '@crm/core';
import { parseConfig, type Container } from '@crm/runtime';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyticsEngineOf } from './container-analytics-engine';
import { AwsLakeConfig, localDataEnv, localLakeRoot } from './container-lake';

/**
 * What the scheduled RFM and churn jobs run on: the analytics engine (analyticsEngineOf: Athena in
 * AWS, DuckDB over `<CRM_DATA_DIR>/lake` locally) and the tenants that have a lake table. In AWS the
 * entries need `analytics: 'query'`: it sets ATHENA_WORKGROUP, LAKE_DATABASE and LAKE_BUCKET (the
 * query policy may list the bucket; the tenants are its `<table>/tenant=<t>/` prefixes).
 */
export interface AnalyticsJobsRuntime {
  engine: AnalyticsEngine;
  /** Tenants with at least one partition of the lake table (the tenants a report can answer for). */
  lakeTenants(table: LakeTable): Promise<string[]>;
}

const listings = new WeakMap<Container, (table: LakeTable) => Promise<string[]>>();

/** The container's analytics engine and lake tenant listing, kept across warm invocations. */
export async function analyticsJobsOf(container: Container, env: Record<string, string | undefined> = process.env): Promise<AnalyticsJobsRuntime> {
  const engine = await analyticsEngineOf(container, env);
  let lakeTenants = listings.get(container);
  if (!lakeTenants) {
    lakeTenants = env.CRM_RUNTIME === 'aws' ? s3LakeTenants(env) : localListing(container, env);
    listings.set(container, lakeTenants);
  }
  return { engine, lakeTenants };
}

function s3LakeTenants(env: Record<string, string | undefined>): (table: LakeTable) => Promise<string[]> {
  const config = parseConfig(AwsLakeConfig, env);
  const s3 = new S3Client({ region: config.AWS_REGION });
  return async (table) => {
    const tenants: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: config.LAKE_BUCKET, Prefix: `${table}/tenant=`, Delimiter: '/', ContinuationToken: token }));
      for (const { Prefix } of page.CommonPrefixes ?? []) tenants.push(Prefix!.slice(`${table}/tenant=`.length, -1));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return validTenants(tenants);
  };
}

function localListing(container: Container, env: Record<string, string | undefined>): (table: LakeTable) => Promise<string[]> {
  // As lakeWriterOf: a local server's data folder is found through its blob store (`<data>/blobs`).
  const root = localLakeRoot(localDataEnv(container, env));
  return async (table) => localLakeTenants(root, table);
}

/** Tenants with a folder `<root>/<table>/tenant=<t>/` holding Parquet files. */
export function localLakeTenants(root: string, table: LakeTable): string[] {
  const dir = join(root, table);
  if (!existsSync(dir)) return [];
  const tenants = readdirSync(dir)
    .filter((name) => name.startsWith('tenant='))
    .filter((name) => readdirSync(join(dir, name), { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.parquet')))
    .map((name) => name.slice('tenant='.length));
  return validTenants(tenants);
}

const validTenants = (tenants: string[]) => tenants.filter((t) => LakeTenantId.safeParse(t).success).sort();

/**
 * Runs a daily job for each tenant in turn: a failing tenant is logged and does not stop the
 * others; the run fails at the end (AggregateError) so the schedule's retry runs it again — the
 * jobs are idempotent. `work` returns what to log for the tenant (nothing: no log line).
 */
export async function forEachTenant<R extends object>(
  job: string,
  tenants: readonly string[],
  logger: Container['logger'],
  work: (tenantId: string) => Promise<{ result: R; log: boolean }>,
): Promise<R[]> {
  const results: R[] = [];
  const failures: unknown[] = [];
  for (const tenantId of tenants) {
    try {
      const { result, log } = await work(tenantId);
      results.push(result);
      if (log) logger.info(`${job} done`, { tenantId, ...result });
    } catch (error) {
      failures.push(error);
      logger.error(`${job} failed`, { tenantId, error: error as Error });
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${job} failed for ${failures.length} of ${tenants.length} tenants`);
  return results;
}
