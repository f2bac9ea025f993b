import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  LAKE_COLUMNS, convertRows, pageLimit, inlineFragment, prepareReport, renderSql, reportSqlTemplate, fragmentSqlTemplate, sqlStringLiteral,
  type AnalyticsEngine, type AnalyticsPage, type AnalyticsRow, type ColumnType, type LakeTable, type SqlValue, type ReportName, type ReportParamsByName,
} from '@crm/core';

export interface DuckDbAnalyticsEngineOptions {
  /** Created once per process by the composition root (`createDuckDbConnection`). */
  connection: DuckDBConnection;
  /** The local lake folder (`<CRM_DATA_DIR>/lake`), holding `<table>/tenant=<t>/dt=<d>/*.parquet`. */
  lakeRoot: string;
  /**
   * Keep, per tenant, (a) each lake table mirrored into a DuckDB table (the union of its Parquet files;
   * new files appended, rebuilt when a file disappears) and (b) `{{customer_order_summary}}`
   * pre-aggregated (built once with the fragment's own SQL, refreshed incrementally from new files) and
   * used when the report's as-of instant is after every paid order in it; otherwise the full
   * computation runs over the mirror. Both hold exactly the rows the files hold.
   */
  preAggregate?: boolean;
}

export interface DuckDbReportQuery {
  sql: string;
  values: SqlValue[];
  columns: Readonly<Record<string, ColumnType>>;
  finish(rows: AnalyticsRow[]): AnalyticsRow[];
  pageable: boolean;
}

/** Far enough in the future that every order is before it: the fragment's "all orders" rows. */
const END_OF_TIME = '9999-12-31 23:59:59.999';

interface SummaryState {
  files: Set<string>;
  /** Bumped whenever the summary's rows change (results kept from it are stale then). */
  generation: number;
  /** Latest paid order in the summary (`YYYY-MM-DD HH:MM:SS.ffffff`), null when empty. */
  maxLastOrderAt: string | null;
}

/**
 * The local analytics engine: the report SQL over the lake's Parquet files, read in place by DuckDB.
 * A lake table resolves to `read_parquet` over that tenant's partition folders only (the WHERE on
 * tenant in the SQL is the second fence); a table with no files yet for the tenant becomes an empty
 * relation of the table's columns, so reports on a fresh lake answer with no rows, not an error.
 * Parameters are bound as prepared-statement values, never spliced into the SQL.
 */
export class DuckDbAnalyticsEngine implements AnalyticsEngine {
  private readonly connection: DuckDBConnection;
  private readonly lakeRoot: string;
  private readonly preAggregate: boolean;
  private readonly summaries = new Map<string, SummaryState>();
  private readonly mirrors = new Map<string, Set<string>>();
  /** Results kept at the end of time, per tenant/report/params (see ReportDefinition.asOfDaysColumn), with the summary generation they were built from. */
  private readonly kept = new Map<string, { table: string; generation: number }>();
  /** Refreshes run one at a time (they rewrite the same tables). */
  private refreshing: Promise<unknown> = Promise.resolve();

  constructor(options: DuckDbAnalyticsEngineOptions) {
    this.connection = options.connection;
    this.lakeRoot = options.lakeRoot;
    this.preAggregate = options.preAggregate ?? false;
  }

  async run<R extends ReportName>(tenantId: string, report: R, params: ReportParamsByName[R]): Promise<AnalyticsRow[]> {
    return this.rowsOf(await this.prepareQuery(tenantId, report, params));
  }

  /**
   * A pageable report's result stays in DuckDB (a temporary table, dropped afterwards): its count
   * and first `limit` rows are read from it, so only the page becomes JS objects. The table keeps
   * the query's order (DuckDB preserves insertion order). Other reports run whole and are sliced.
   */
  async runPage<R extends ReportName>(tenantId: string, report: R, params: ReportParamsByName[R], options: { limit: number }): Promise<AnalyticsPage> {
    const limit = pageLimit(options.limit);
    const query = await this.prepareQuery(tenantId, report, params);
    if (!query.pageable) {
      const rows = await this.rowsOf(query);
      return { rows: rows.slice(0, limit), rowCount: rows.length };
    }
    const table = `"crm_page_${randomUUID().replaceAll('-', '')}"`;
    await this.connection.run(`CREATE TEMP TABLE ${table} AS ${query.sql}`, query.values);
    try {
      const counted = await this.connection.runAndReadAll(`SELECT count(*)::BIGINT FROM ${table}`);
      const rows = await this.rowsOf({ ...query, sql: `SELECT * FROM ${table} LIMIT ${limit}`, values: [] });
      return { rows, rowCount: Number(counted.getRowsJson()[0]![0]) };
    } finally {
      await this.connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  }

  /** The query's rows, converted by the report's column types and finished. */
  private async rowsOf(query: DuckDbReportQuery): Promise<AnalyticsRow[]> {
    const reader = await this.connection.runAndReadAll(query.sql, query.values);
    return query.finish(convertRows(query.columns, reader.getRowObjectsJson() as Record<string, unknown>[]));
  }

  /**
   * The DuckDB SQL and values `run` would execute (after bringing the pre-aggregation up to date),
   * and the finishing step for its rows. For callers that keep the result inside DuckDB (e.g. a
   * write-back job copying it to Parquet) and for the benchmark.
   */
  async prepareQuery<R extends ReportName>(tenantId: string, report: R, params: ReportParamsByName[R]): Promise<DuckDbReportQuery> {
    const prepared = prepareReport(tenantId, report, params);
    const tenant = String(prepared.sqlParams.tenant_id);
    const template = reportSqlTemplate(report);
    let summaryTable: string | undefined;
    const mirrored = new Map<LakeTable, string>();
    if (this.preAggregate) {
      for (const table of lakeTablesOf(template)) {
        const name = await this.refreshMirror(table, tenant);
        if (name) mirrored.set(table, name);
      }
      if (prepared.sqlParams.as_of !== undefined && template.includes('{{customer_order_summary}}')) {
        const state = await this.refreshSummary(tenant);
        // Valid when every paid order in it is before as_of (then "before as_of" filters nothing).
        // Both sides `YYYY-MM-DD HH:MM:SS.ffffff`, so string order is time order.
        if (state && (state.maxLastOrderAt === null || state.maxLastOrderAt < `${String(prepared.sqlParams.as_of)}000`)) summaryTable = summaryTableName(tenant);
      }
    }
    const render = (params: Record<string, SqlValue>) => renderSql(template, {
      dialect: 'duckdb',
      table: (name) => mirrored.get(name) ?? duckDbLakeTable(this.lakeRoot, name, tenant),
      fragment: (name) => (name === 'customer_order_summary' && summaryTable) || inlineFragment(name),
      params,
    });
    const daysColumn = prepared.asOfDaysColumn;
    if (summaryTable && daysColumn) {
      // Every order is before as_of: the result kept at the end of time, with the day column shifted back.
      const table = await this.keptResult(tenant, report, prepared.sqlParams, () => render({ ...prepared.sqlParams, as_of: END_OF_TIME }));
      const columns = Object.keys(prepared.columns).map((c) => (c === daysColumn
        ? `${c} - date_diff('day', CAST(CAST(? AS TIMESTAMP) AS DATE), CAST(CAST(? AS TIMESTAMP) AS DATE)) AS ${c}`
        : c));
      return {
        // The table keeps the report's order (insertion order; DuckDB preserves it for scans).
        sql: `SELECT ${columns.join(', ')} FROM ${table}`, values: [prepared.sqlParams.as_of!, END_OF_TIME],
        columns: prepared.columns, finish: prepared.finish, pageable: prepared.pageable,
      };
    }
    const { sql, values } = render(prepared.sqlParams);
    return { sql, values, columns: prepared.columns, finish: prepared.finish, pageable: prepared.pageable };
  }

  /**
   * The table holding the report's rows at the end of time, in the report's order, built
   * once per summary generation: a later lake change rebuilds it at the next call.
   */
  private async keptResult(tenant: string, report: ReportName, params: Record<string, SqlValue>, render: () => { sql: string; values: SqlValue[] }): Promise<string> {
    const generation = this.summaries.get(tenant)!.generation;
    const key = JSON.stringify([tenant, report, Object.entries(params).filter(([k]) => k !== 'as_of').sort()]);
    const known = this.kept.get(key);
    if (known?.generation === generation) return known.table;
    const next = this.refreshing.then(async () => {
      const table = known?.table ?? `"crm_kept_${randomUUID().replaceAll('-', '')}"`;
      const { sql, values } = render();
      await this.connection.run(`CREATE OR REPLACE TABLE ${table} AS ${sql}`, values);
      this.kept.set(key, { table, generation });
      return table;
    });
    this.refreshing = next.catch(() => undefined);
    return next;
  }

  /**
   * Brings the tenant's pre-aggregated summary up to date with the lake's order files: built from
   * scratch the first time or when a file disappeared (compaction rewrote partitions), otherwise
   * folded forward with the new files only. Undefined when the tenant has no order files.
   */
  async refreshSummary(tenantId: string): Promise<SummaryState | undefined> {
    const next = this.refreshing.then(() => this.refreshNow(tenantId));
    this.refreshing = next.catch(() => undefined);
    return next;
  }

  /**
   * Brings the tenant's DuckDB copy of a lake table up to date (rows of new files appended; rebuilt
   * when a file disappeared). Undefined when the tenant has no files for it.
   */
  private async refreshMirror(table: LakeTable, tenant: string): Promise<string | undefined> {
    const next = this.refreshing.then(async () => {
      const files = lakeFiles(this.lakeRoot, table, tenant);
      if (files.length === 0) return undefined;
      const mirror = `"crm_lake__${table}__${ident(tenant)}"`;
      const known = this.mirrors.get(`${table}/${tenant}`);
      const columns = [...LAKE_COLUMNS[table].map((c) => c.name), 'tenant', 'dt'].join(', ');
      if (!known || [...known].some((f) => !files.includes(f))) {
        await this.connection.run(`CREATE OR REPLACE TABLE ${mirror} AS SELECT ${columns} FROM ${parquetFiles(files)}`);
      } else {
        const added = files.filter((f) => !known.has(f));
        if (added.length) await this.connection.run(`INSERT INTO ${mirror} SELECT ${columns} FROM ${parquetFiles(added)}`);
      }
      this.mirrors.set(`${table}/${tenant}`, new Set(files));
      return mirror;
    });
    this.refreshing = next.catch(() => undefined);
    return next;
  }

  private async refreshNow(tenant: string): Promise<SummaryState | undefined> {
    const files = lakeFiles(this.lakeRoot, 'orders', tenant);
    if (files.length === 0) return undefined;
    const state = this.summaries.get(tenant);
    const latest = latestTableName(tenant);
    const summary = summaryTableName(tenant);
    if (!state || [...state.files].some((f) => !files.includes(f))) {
      // The summary is the fragment's own SQL at the end of time: the full computation by construction.
      const built = renderSql(fragmentSqlTemplate('customer_order_summary'), {
        dialect: 'duckdb', table: (name) => duckDbLakeTable(this.lakeRoot, name, tenant), params: { tenant_id: tenant, as_of: END_OF_TIME },
      });
      await this.connection.run(`CREATE OR REPLACE TABLE ${summary} AS ${built.sql}`, built.values);
      await this.connection.run(`CREATE OR REPLACE TABLE ${latest} AS
        SELECT order_id, customer_id, amount, currency, status, ordered_at, version
        FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY version DESC) AS version_rank FROM ${parquetFiles(files)} WHERE tenant_id = ?)
        WHERE version_rank = 1`, [tenant]);
    } else {
      const added = files.filter((f) => !state.files.has(f));
      if (added.length === 0) return state;
      // New versions that beat the known latest version of their order (or new orders), then the
      // affected customers (new and previous owner of each changed order) re-aggregated from scratch.
      await this.connection.run(`CREATE OR REPLACE TEMP TABLE crm_changed AS
        SELECT n.*, o.customer_id AS previous_customer_id
        FROM (
          SELECT order_id, customer_id, amount, currency, status, ordered_at, version
          FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY version DESC) AS version_rank FROM ${parquetFiles(added)} WHERE tenant_id = ?)
          WHERE version_rank = 1
        ) n
        LEFT JOIN ${latest} o ON o.order_id = n.order_id
        WHERE o.order_id IS NULL OR n.version > o.version`, [tenant]);
      await this.connection.run('BEGIN TRANSACTION');
      try {
        await this.connection.run(`DELETE FROM ${latest} WHERE order_id IN (SELECT order_id FROM crm_changed)`);
        await this.connection.run(`INSERT INTO ${latest} SELECT order_id, customer_id, amount, currency, status, ordered_at, version FROM crm_changed`);
        await this.connection.run(`CREATE OR REPLACE TEMP TABLE crm_affected AS
          SELECT customer_id FROM crm_changed UNION SELECT previous_customer_id FROM crm_changed WHERE previous_customer_id IS NOT NULL`);
        await this.connection.run(`DELETE FROM ${summary} WHERE customer_id IN (SELECT customer_id FROM crm_affected)`);
        await this.connection.run(`INSERT INTO ${summary}
          SELECT customer_id, currency, count(*) AS frequency, sum(amount) AS monetary, max(ordered_at) AS last_order_at
          FROM ${latest}
          WHERE status = 'paid' AND customer_id IN (SELECT customer_id FROM crm_affected)
          GROUP BY customer_id, currency`);
        await this.connection.run('COMMIT');
      } catch (error) {
        await this.connection.run('ROLLBACK');
        throw error;
      }
    }
    const max = await this.connection.runAndReadAll(`SELECT strftime(max(last_order_at), '%Y-%m-%d %H:%M:%S.%f') FROM ${summary}`);
    const fresh: SummaryState = { files: new Set(files), generation: (state?.generation ?? 0) + 1, maxLastOrderAt: (max.getRowsJson()[0]?.[0] as string | null) ?? null };
    this.summaries.set(tenant, fresh);
    return fresh;
  }
}

const ident = (tenant: string) => tenant.replace(/[^A-Za-z0-9_]/g, (c) => `_${c.charCodeAt(0).toString(16)}_`);
const summaryTableName = (tenant: string) => `"crm_customer_order_summary__${ident(tenant)}"`;
const latestTableName = (tenant: string) => `"crm_orders_latest__${ident(tenant)}"`;

function parquetFiles(files: readonly string[]): string {
  return `read_parquet([${files.map(sqlStringLiteral).join(', ')}], hive_partitioning = true, hive_types = {'tenant': VARCHAR, 'dt': DATE})`;
}

/** The lake tables a template reads (its own holes and its fragments'). */
function lakeTablesOf(template: string): LakeTable[] {
  const text = template.includes('{{customer_order_summary}}') ? template + fragmentSqlTemplate('customer_order_summary') : template;
  return LAKE_COLUMN_TABLES.filter((t) => text.includes(`{{${t}}}`));
}

const LAKE_COLUMN_TABLES = Object.keys(LAKE_COLUMNS) as LakeTable[];

function lakeFiles(lakeRoot: string, table: LakeTable, tenant: string): string[] {
  const dir = join(lakeRoot, table, `tenant=${tenant}`);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet')).map((f) => join(dir, f)).sort();
}

/**
 * `read_parquet` over one tenant's partitions of a lake table, with `tenant` (VARCHAR) and `dt` (DATE)
 * from the Hive path; an empty relation of the table's columns when the tenant has no files yet.
 * `tenantId` must be a validated lake tenant id (it becomes part of a path).
 */
export function duckDbLakeTable(lakeRoot: string, name: LakeTable, tenantId: string): string {
  const dir = join(lakeRoot, name, `tenant=${tenantId}`);
  if (!hasParquet(dir)) return emptyRelation(name);
  const glob = join(dir, 'dt=*', '*.parquet');
  return `read_parquet(${sqlStringLiteral(glob)}, hive_partitioning = true, hive_types = {'tenant': VARCHAR, 'dt': DATE})`;
}

function hasParquet(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.parquet'));
}

function emptyRelation(name: LakeTable): string {
  const columns = LAKE_COLUMNS[name].map((c) => `CAST(NULL AS ${c.type}) AS ${c.name}`);
  return `(SELECT ${[...columns, 'CAST(NULL AS VARCHAR) AS tenant', 'CAST(NULL AS DATE) AS dt'].join(', ')} WHERE false)`;
}

/** An in-memory DuckDB (it only reads Parquet files) and one connection to it. */
export async function createDuckDbConnection(options: { threads?: number } = {}): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:', options.threads ? { threads: String(options.threads) } : {});
  return instance.connect();
}
