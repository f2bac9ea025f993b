import type { SecuredContext } from '../../access/access-policy';
import { auditEntryFrom, auditPutOperation, writeAudit } from '../../audit/audit-entry';
import { actorOf } from '../../customers/customer.repository';
import { notFound } from '../../errors';
import type { AnalyticsEngine } from '../../ports/analytics-engine.port';
import type { Clock } from '../../ports/clock.port';
import type { IdGenerator } from '../../ports/id-generator.port';
import { ConditionFailedError, type Item, type TableStore } from '../../ports/table-store.port';
import type { AnalyticsRow, ReportName, ReportParamsByName } from '../report-definitions';
import { analyticsQueryKeys } from './analytics-query.keys';
import type { AnalyticsQuery, AnalyticsQueryStatus, CreateAnalyticsQueryInput } from './analytics-query.schema';
import { pickFields } from '../../shared/pick-fields';

export const ANALYTICS_QUERY_ENTITY = 'analytics-query';

/** Rows kept with a query: at most this many... */
export const MAX_QUERY_ROWS = 10_000;
/**
 * ...and at most this many bytes of JSON, so the query item stays far below DynamoDB's 400 KB item
 * limit. A larger result is cut (`truncated: true`, `rowCount` tells the full size).
 */
export const MAX_QUERY_ROWS_BYTES = 250_000;
/** Results are kept this long (TTL), then the item disappears: re-run the report for fresh figures. */
export const QUERY_RETENTION_DAYS = 7;
/**
 * A query left `running` longer than this (its runner died mid-way) may be claimed again by a
 * redelivered record; longer than the runner's own Lambda timeout.
 */
export const QUERY_STALE_RUNNING_MS = 15 * 60_000;

export interface AnalyticsQueryDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
}

export interface RunAnalyticsQueryDeps {
  store: TableStore;
  clock: Clock;
  engine: AnalyticsEngine;
}

const QUERY_FIELDS = ['id', 'report', 'params', 'status', 'rows', 'rowCount', 'truncated', 'error', 'createdAt', 'createdBy', 'startedAt', 'finishedAt'] as const;

/** The API record of a stored query item (never keys, tenant or version). */
export function toAnalyticsQuery(item: Item): AnalyticsQuery {
  return pickFields<AnalyticsQuery>(item, QUERY_FIELDS);
}

/**
 * `POST /v1/analytics/queries`: stores the query `queued` (with its audit entry, one transaction);
 * the `run-analytics-queries` consumer runs it from the change feed. The tenant is the caller's.
 */
export async function createAnalyticsQuery(deps: AnalyticsQueryDeps, ctx: SecuredContext, input: CreateAnalyticsQueryInput): Promise<{ id: string; status: 'queued' }> {
  const { tenantId } = ctx.principal;
  const now = deps.clock.now();
  const id = deps.ids.next();
  const item: Item = {
    ...analyticsQueryKeys.query(tenantId, id), entity: ANALYTICS_QUERY_ENTITY, tenantId,
    id, report: input.report, params: input.params, status: 'queued' satisfies AnalyticsQueryStatus,
    createdAt: now.toISOString(), createdBy: actorOf(ctx.principal), version: 1,
    expiresAt: Math.floor(now.getTime() / 1000) + QUERY_RETENTION_DAYS * 86_400,
  };
  await deps.store.transact([
    { type: 'put', item, condition: { kind: 'notExists' } },
    auditPutOperation(auditEntryFrom(ctx, { action: 'analytics:create', resource: 'analytics-query', resourceId: id, detail: { report: input.report, params: input.params } }, deps.clock, deps.ids)),
  ]);
  return { id, status: 'queued' };
}

/**
 * `GET /v1/analytics/queries/{id}`: the query of the caller's tenant, or 404. Reading the rows of a
 * finished query is audited (they are customer-level figures).
 */
export async function getAnalyticsQuery(deps: AnalyticsQueryDeps, ctx: SecuredContext, id: string): Promise<AnalyticsQuery> {
  const item = await deps.store.get(analyticsQueryKeys.query(ctx.principal.tenantId, id), { consistent: true });
  if (!item || item.entity !== ANALYTICS_QUERY_ENTITY) throw notFound(`Analytics query ${id}`);
  const query = toAnalyticsQuery(item);
  if (query.status === 'succeeded') {
    await writeAudit(deps.store, auditEntryFrom(ctx, { action: 'analytics:read', resource: 'analytics-query', resourceId: id, detail: { report: query.report, rows: query.rows?.length ?? 0 } }, deps.clock, deps.ids));
  }
  return query;
}

export type RunOutcome = 'skipped' | 'succeeded' | 'failed';

/**
 * Runs one queued query (the image of its item from the change feed): claims it (`queued` →
 * `running`, conditional on the version read), runs the report for the item's tenant, and stores the
 * rows or the failure (conditional on the claim's version). A record of a query that is no longer
 * queued — the runner's own writes, a redelivery after it finished — is skipped; so is a claim lost
 * to a concurrent runner. A report error ends the query `failed` with the error's message.
 */
export async function runAnalyticsQuery(deps: RunAnalyticsQueryDeps, image: Record<string, unknown>): Promise<RunOutcome> {
  if (image.entity !== ANALYTICS_QUERY_ENTITY) return 'skipped';
  const tenantId = image.tenantId as string;
  const key = analyticsQueryKeys.query(tenantId, image.id as string);
  const item = await deps.store.get(key, { consistent: true });
  if (!item) return 'skipped';
  const now = deps.clock.now();
  const stale = item.status === 'running' && typeof item.startedAt === 'string' && now.getTime() - Date.parse(item.startedAt) > QUERY_STALE_RUNNING_MS;
  if (item.status !== 'queued' && !stale) return 'skipped';

  const version = item.version as number;
  const running: Item = { ...item, status: 'running', startedAt: now.toISOString(), version: version + 1 };
  try {
    await deps.store.put(running, { condition: { kind: 'equals', attribute: 'version', value: version } });
  } catch (error) {
    if (error instanceof ConditionFailedError) return 'skipped';
    throw error;
  }

  let finished: Item;
  try {
    // Only the rows a query can keep leave the engine; the count covers the whole result.
    const page = await deps.engine.runPage(tenantId, item.report as ReportName, item.params as ReportParamsByName[ReportName], { limit: MAX_QUERY_ROWS });
    const kept = capRows(page.rows);
    finished = { ...running, status: 'succeeded', rows: kept, rowCount: page.rowCount, ...(kept.length < page.rowCount ? { truncated: true } : {}) };
  } catch (error) {
    finished = { ...running, status: 'failed', error: error instanceof Error ? error.message.slice(0, 1_000) : 'The report failed' };
  }
  finished.finishedAt = deps.clock.now().toISOString();
  finished.version = version + 2;
  try {
    await deps.store.put(finished, { condition: { kind: 'equals', attribute: 'version', value: version + 1 } });
  } catch (error) {
    if (error instanceof ConditionFailedError) return 'skipped';
    throw error;
  }
  return finished.status as 'succeeded' | 'failed';
}

/** The first rows of a result that fit MAX_QUERY_ROWS and MAX_QUERY_ROWS_BYTES. */
export function capRows(rows: readonly AnalyticsRow[]): AnalyticsRow[] {
  const kept: AnalyticsRow[] = [];
  let bytes = 2;
  for (const row of rows) {
    if (kept.length >= MAX_QUERY_ROWS) break;
    bytes += Buffer.byteLength(JSON.stringify(row)) + 1;
    if (bytes > MAX_QUERY_ROWS_BYTES) break;
    kept.push(row);
  }
  return kept;
}
