import { LakeTenantId, type AnalyticsEngine, type LakeTable } from '@crm/core';
import type { Container } from '@crm/runtime';
import { analyticsEngineOf } from './container-analytics-engine';
import { lakeWriterOf } from './container-lake';

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

/**
 * The container's analytics engine and lake tenant listing, kept across warm invocations. The
 * tenants come from the container's lake writer (lakeWriterOf: the lake bucket's
 * `<table>/tenant=<t>/` prefixes, which the query policy may list, or the local lake folder).
 */
export async function analyticsJobsOf(container: Container, env: Record<string, string | undefined> = process.env): Promise<AnalyticsJobsRuntime> {
  const engine = await analyticsEngineOf(container, env);
  const lake = lakeWriterOf(container, env);
  return { engine, lakeTenants: async (table) => validTenants(await lake.tenantsWithPartition(table)) };
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
