import { AthenaClient } from '@aws-sdk/client-athena';
import { AthenaAnalyticsEngine } from '@crm/adapters/athena';
import type { AnalyticsEngine } from '@crm/core';
import { parseConfig, type Container } from '@crm/runtime';
import * as z from 'zod';
import { localDataEnv, localLakeRoot } from './container-lake';

/**
 * Analytics engine configuration. In AWS (`CRM_RUNTIME=aws`) the workgroup and the Glue database
 * are required — infra sets them on functions whose manifest entry has `analytics: 'query'`
 * (CrmFunction.bindAnalytics) — so a missing one fails the cold start. Locally DuckDB reads
 * `<CRM_DATA_DIR>/lake/`.
 */
export const AwsAnalyticsConfig = z.object({
  AWS_REGION: z.string().min(1),
  ATHENA_WORKGROUP: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be an Athena workgroup name'),
  LAKE_DATABASE: z.string().regex(/^[a-z0-9_]{1,255}$/, 'must be a Glue database name'),
});

/**
 * Kept out of Lambda bundles: DuckDB is a local-only native module (infra/bundling marks it
 * external and forbids it), so the local adapter is imported by a name the bundler does not follow.
 */
const DUCKDB_ADAPTER = '@crm/adapters/duckdb';

/** The analytics engine of a runtime: Athena in AWS (one client per container), DuckDB over the local lake otherwise. */
export async function analyticsEngineFromEnv(env: Record<string, string | undefined>): Promise<AnalyticsEngine> {
  if (env.CRM_RUNTIME === 'aws') {
    const config = parseConfig(AwsAnalyticsConfig, env);
    return new AthenaAnalyticsEngine({ client: new AthenaClient({ region: config.AWS_REGION }), workGroup: config.ATHENA_WORKGROUP, database: config.LAKE_DATABASE });
  }
  const duckdb = (await import(DUCKDB_ADAPTER)) as typeof import('@crm/adapters/duckdb');
  return new duckdb.DuckDbAnalyticsEngine({ connection: await duckdb.createDuckDbConnection(), lakeRoot: localLakeRoot(env) });
}

const engines = new WeakMap<Container, Promise<AnalyticsEngine>>();

/**
 * The container's analytics engine, kept across warm invocations. A composition root that provides
 * one (`analytics`) wins; until the local one does, the local data folder is found through its blob
 * store (`<data>/blobs`), like lakeWriterOf, so each local server and test server reads its own lake.
 */
export function analyticsEngineOf(container: Container, env: Record<string, string | undefined> = process.env): Promise<AnalyticsEngine> {
  let engine = engines.get(container);
  if (!engine) {
    const provided = (container as Container & { analytics?: AnalyticsEngine }).analytics;
    engine = provided ? Promise.resolve(provided) : analyticsEngineFromEnv(localDataEnv(container, env));
    engine.catch(() => engines.delete(container));
    engines.set(container, engine);
  }
  return engine;
}
