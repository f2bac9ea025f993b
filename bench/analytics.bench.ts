import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDbAnalyticsEngine, createDuckDbConnection } from '@crm/adapters/duckdb';
import {
  LAKE_COLUMNS, convertRows, prepareReport, renderSql, reportSqlTemplate,
  MAX_QUERY_ROWS, type AnalyticsPage, type AnalyticsRow, type LakeTable, type ReportName, type ReportParamsByName,
} from '@crm/core';

/**
 * `npm run bench -- analytics [--orders 2000000] [--customers 200000] [--events 2000000] [--runs 5] [--pg-runs 5]`
 *
 * Generates the orders and deal-stage-change lake tables (Parquet, ZSTD, tenant=/dt= partitions)
 * inside DuckDB, times RFM, funnel and churn risk through the DuckDB analytics engine (median of
 * --runs) over the Parquet files and with the engine's pre-aggregation (lake mirror + customer order
 * summary), checks an incremental refresh, loads the very same rows into PostgreSQL (PGlite,
 * in-process WASM) and runs the same report SQL there through the shim's postgres flavour. Checks
 * every variant returns identical rows. `--skip-pg` leaves PostgreSQL out.
 */
const DAY_S = 86_400;
const TENANT = 'bench-tenant';
const AS_OF = '2026-06-01T00:00:00Z';
const STAGES = ['lead', 'qualified', 'proposal', 'negotiation', 'won'];

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

async function generateLake(duck: DuckDBConnection, lake: string, orders: number, customers: number, events: number): Promise<void> {
  mkdirSync(lake, { recursive: true });
  // Every order is paid (version 1); 10 % are refunded and 2 % cancelled later (version 2), 80 % CNY.
  await duck.run(`CREATE TABLE gen_orders AS
    WITH base AS (
      SELECT
        '${TENANT}' AS tenant_id,
        'o' || i AS order_id,
        'c' || lpad(CAST(hash(i) % ${customers} AS VARCHAR), 7, '0') AS customer_id,
        CAST(round((1 + hash(i * 3 + 1) % 99999) / 100.0, 2) AS DECIMAL(18,2)) AS amount,
        CASE WHEN hash(i * 7 + 3) % 10 < 8 THEN 'CNY' ELSE 'USD' END AS currency,
        TIMESTAMP '2026-06-01 00:00:00' - to_seconds(CAST(hash(i * 5 + 2) % ${365 * DAY_S} AS BIGINT)) AS ordered_at,
        'api' AS source,
        i
      FROM range(${orders}) t(i)
    )
    SELECT tenant_id, order_id, customer_id, amount, currency, 'paid' AS status, ordered_at, source, 1 AS version FROM base
    UNION ALL
    SELECT tenant_id, order_id, customer_id, amount, currency, CASE WHEN i % 10 = 0 THEN 'refunded' ELSE 'cancelled' END, ordered_at, source, 2
    FROM base WHERE i % 10 = 0 OR i % 50 = 1`);
  await duck.run(`CREATE TABLE gen_changes AS
    WITH steps AS (
      SELECT
        i // 5 AS deal, i % 5 AS step,
        CASE WHEN hash(i // 5) % 10 < 4 THEN 1 + hash(i // 5) % 4 ELSE 99 END AS lost_step,
        TIMESTAMP '2025-06-01 00:00:00' + to_seconds(CAST(hash(i // 5 + 17) % ${365 * DAY_S} AS BIGINT)) AS started_at,
        1000 * (3600 + hash(i * 11 + 5) % ${20 * DAY_S}) AS stay_ms
      FROM range(${Math.ceil(events * 1.5)}) t(i)
    )
    SELECT
      '${TENANT}' AS tenant_id, 'd' || deal AS deal_id, 'p-' || (deal % 4) AS pipeline_id,
      CASE WHEN step = 0 THEN NULL ELSE ${sqlList(STAGES)}[step] END AS from_stage,
      CASE WHEN step = lost_step THEN 'lost' ELSE ${sqlList(STAGES)}[step + 1] END AS to_stage,
      CASE WHEN step = lost_step THEN 'lost' WHEN step = 4 THEN 'won' ELSE NULL END AS outcome,
      started_at + to_seconds(CAST(step * 10 * ${DAY_S} AS BIGINT)) AS changed_at,
      CASE WHEN step = 0 THEN NULL ELSE stay_ms END AS duration_ms,
      CAST(1000 + deal % 50000 AS DECIMAL(18,2)) AS amount, 'CNY' AS currency, 'u' || (deal % 50) AS owner_id
    FROM steps
    WHERE step <= lost_step
    ORDER BY deal, step
    LIMIT ${events}`);
  // One file per partition, as after the lake's compaction (DuckDB otherwise closes and reopens
  // files when more than 100 partitions are open).
  await duck.run('SET partitioned_write_max_open_files = 5000');
  for (const [table, source, time] of [['orders', 'gen_orders', 'ordered_at'], ['deal_stage_changes', 'gen_changes', 'changed_at']] as const) {
    await duck.run(`COPY (SELECT *, tenant_id AS tenant, strftime(${time}, '%Y-%m-%d') AS dt FROM ${source})
      TO '${join(lake, table)}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (tenant, dt), OVERWRITE_OR_IGNORE)`);
  }
}

const sqlList = (values: string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;

async function loadPostgres(duck: DuckDBConnection, dir: string): Promise<PGlite> {
  const pg = await PGlite.create();
  // The report SQL's date_diff('day', date, date) (Trino and DuckDB both have it).
  await pg.exec(`CREATE FUNCTION date_diff(unit text, a date, b date) RETURNS bigint AS $$ SELECT (b - a)::bigint $$ LANGUAGE sql IMMUTABLE`);
  for (const [table, source, time] of [['orders', 'gen_orders', 'ordered_at'], ['deal_stage_changes', 'gen_changes', 'changed_at']] as const) {
    const columns = LAKE_COLUMNS[table as LakeTable].map((c) => `${c.name} ${pgType(c.type)}`);
    await pg.exec(`CREATE TABLE ${table} (${[...columns, 'tenant text', 'dt date'].join(', ')})`);
    const csv = join(dir, `${table}.csv`);
    await duck.run(`COPY (SELECT *, tenant_id AS tenant, CAST(${time} AS DATE) AS dt FROM ${source}) TO '${csv}' (HEADER, DELIMITER ',')`);
    await pg.query(`COPY ${table} FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], { blob: new Blob([readFileSync(csv)]) });
    await pg.exec(`ANALYZE ${table}`);
  }
  return pg;
}

function pgType(type: string): string {
  return ({ VARCHAR: 'text', 'DECIMAL(18,2)': 'numeric(18,2)', TIMESTAMP: 'timestamp', INTEGER: 'integer', BIGINT: 'bigint', BOOLEAN: 'boolean' } as Record<string, string>)[type] ?? 'text';
}

async function runPostgres<R extends ReportName>(pg: PGlite, report: R, params: ReportParamsByName[R]): Promise<AnalyticsRow[]> {
  const prepared = prepareReport(TENANT, report, params);
  const { sql, values } = renderSql(reportSqlTemplate(report), { dialect: 'postgres', table: (name) => name, params: prepared.sqlParams });
  // Raw text for numeric, bigint and timestamp, converted by the report's column types like the other engines.
  const raw = (x: string) => x;
  const result = await pg.query<Record<string, unknown>>(sql, values, { parsers: { 20: raw, 1700: raw, 1114: raw } });
  return prepared.finish(convertRows(prepared.columns, result.rows));
}

/** The same page on PostgreSQL, made the way the DuckDB engine makes it (result table, count, first rows). */
async function runPostgresPage<R extends ReportName>(pg: PGlite, report: R, params: ReportParamsByName[R], limit: number): Promise<AnalyticsPage> {
  const prepared = prepareReport(TENANT, report, params);
  const { sql, values } = renderSql(reportSqlTemplate(report), { dialect: 'postgres', table: (name) => name, params: prepared.sqlParams });
  const raw = (x: string) => x;
  await pg.query(`CREATE TEMP TABLE bench_page AS ${sql}`, values);
  try {
    const count = await pg.query<{ n: string }>('SELECT count(*)::text AS n FROM bench_page');
    const page = await pg.query<Record<string, unknown>>(`SELECT * FROM bench_page LIMIT ${limit}`, [], { parsers: { 20: raw, 1700: raw, 1114: raw } });
    return { rows: prepared.finish(convertRows(prepared.columns, page.rows)), rowCount: Number(count.rows[0]!.n) };
  } finally {
    await pg.exec('DROP TABLE bench_page');
  }
}

async function time(runs: number, fn: () => Promise<AnalyticsRow[]>): Promise<{ median: number; rows: AnalyticsRow[] }> {
  const seconds: number[] = [];
  let rows: AnalyticsRow[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    rows = await fn();
    seconds.push((performance.now() - t0) / 1000);
  }
  seconds.sort((a, b) => a - b);
  return { median: seconds[Math.floor(seconds.length / 2)]!, rows };
}

export async function run(args: string[]): Promise<void> {
  const orders = flag(args, 'orders', 2_000_000);
  const customers = flag(args, 'customers', 200_000);
  const events = flag(args, 'events', 2_000_000);
  const runs = flag(args, 'runs', 5);
  const pgRuns = flag(args, 'pg-runs', 5);
  const skipPg = args.includes('--skip-pg');
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-analytics-'));
  const lake = join(dir, 'lake');
  const duck = await createDuckDbConnection();
  const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(2);
  try {
    let t0 = performance.now();
    await generateLake(duck, lake, orders, customers, events);
    const counts = (await duck.runAndReadAll(`SELECT (SELECT count(*) FROM gen_orders), (SELECT count(DISTINCT order_id) FROM gen_orders), (SELECT count(*) FROM gen_changes)`)).getRowsJson()[0]!;
    const files = (await duck.runAndReadAll(`SELECT count(*) FROM glob('${lake}/*/*/*/*.parquet')`)).getRowsJson()[0]![0];
    console.log(`lake: ${counts[0]} order rows (${counts[1]} orders), ${counts[2]} stage changes, ${files} Parquet files; generated in ${seconds(t0)} s`);

    // The issue's three reports (REPORTS may hold more, e.g. the archive job's inactive-customers).
    type Benched = 'rfm' | 'funnel' | 'churn-risk';
    const cases: { [R in Benched]: ReportParamsByName[R] } = {
      rfm: { currency: 'CNY', asOf: AS_OF },
      funnel: { pipelineId: 'p-1', from: '2025-09-01T00:00:00Z', to: '2026-03-01T00:00:00Z', stages: STAGES },
      'churn-risk': { currency: 'CNY', asOf: AS_OF, days: 30 },
    };
    const reports = Object.keys(cases) as Benched[];
    const full = new DuckDbAnalyticsEngine({ connection: duck, lakeRoot: lake });
    const pre = new DuckDbAnalyticsEngine({ connection: duck, lakeRoot: lake, preAggregate: true });
    const fullResults = new Map<ReportName, { median: number; rows: AnalyticsRow[] }>();
    const preResults = new Map<ReportName, { median: number; rows: AnalyticsRow[] }>();
    for (const report of reports) fullResults.set(report, await time(runs, () => full.run(TENANT, report, cases[report] as never)));
    t0 = performance.now();
    for (const report of reports) await pre.run(TENANT, report, cases[report] as never);
    console.log(`pre-aggregation (lake mirror + customer order summary) built in ${seconds(t0)} s`);
    for (const report of reports) preResults.set(report, await time(runs, () => pre.run(TENANT, report, cases[report] as never)));
    // What a stored query keeps (POST /v1/analytics/queries): the first MAX_QUERY_ROWS rows and the count.
    const pages = new Map<ReportName, { median: number; page: AnalyticsPage }>();
    for (const report of reports) {
      let page: AnalyticsPage = { rows: [], rowCount: 0 };
      const { median } = await time(runs, async () => {
        page = await pre.runPage(TENANT, report, cases[report] as never, { limit: MAX_QUERY_ROWS });
        return page.rows;
      });
      pages.set(report, { median, page });
    }
    // The same reports with the result kept inside DuckDB (what a write-back job copying to Parquet does).
    const inEngine = new Map<ReportName, number>();
    for (const report of reports) {
      inEngine.set(report, (await time(runs, async () => {
        const q = await pre.prepareQuery(TENANT, report, cases[report] as never);
        await duck.run(`CREATE OR REPLACE TEMP TABLE bench_result AS ${q.sql}`, q.values);
        return [];
      })).median);
    }

    // Incremental refresh: one more file per table-day with 1 % new orders and 1 % refunds of known ones.
    await duck.run(`COPY (
        SELECT tenant_id, 'n' || order_id AS order_id, customer_id, amount, currency, status, TIMESTAMP '2026-05-31 12:00:00' AS ordered_at, source, version, tenant_id AS tenant, '2026-05-31' AS dt
        FROM gen_orders WHERE version = 1 AND hash(order_id) % 100 = 0
        UNION ALL
        SELECT tenant_id, order_id, customer_id, amount, currency, 'refunded', ordered_at, source, 7, tenant_id, '2026-05-31'
        FROM gen_orders WHERE version = 1 AND hash(order_id) % 100 = 1
      ) TO '${join(lake, 'orders')}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (tenant, dt), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'increment-{i}')`);
    t0 = performance.now();
    await pre.refreshSummary(TENANT);
    console.log(`incremental refresh after appending ~${Math.round(orders / 50).toLocaleString('en')} order rows: ${seconds(t0)} s`);
    for (const report of ['rfm', 'churn-risk'] as const) {
      t0 = performance.now();
      const a = await pre.run(TENANT, report, cases[report]);
      console.log(`  ${report} first run after the refresh (whole result as JS rows, rebuilding what the engine keeps for it): ${seconds(t0)} s`);
      const b = await full.run(TENANT, report, cases[report]);
      console.log(`  ${report} after refresh: pre-aggregated = full computation: ${JSON.stringify(a) === JSON.stringify(b) ? 'yes' : 'NO'} (${a.length} rows)`);
    }

    let pg: PGlite | undefined;
    if (!skipPg) {
      t0 = performance.now();
      pg = await loadPostgres(duck, dir);
      console.log(`PGlite loaded in ${seconds(t0)} s (same rows as the lake before the increment)`);
    }
    console.log('\nWhole result as JS rows:');
    console.log('| report | rows | DuckDB over Parquet s | DuckDB pre-aggregated s | DuckDB pre-aggregated, result kept in DuckDB s | PostgreSQL (PGlite) s | PG / DuckDB pre-agg | same rows |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---|');
    const pgPages = new Map<ReportName, { median: number; page: AnalyticsPage }>();
    for (const report of reports) {
      const d = fullResults.get(report)!;
      const a = preResults.get(report)!;
      const p = pg ? await time(pgRuns, () => runPostgres(pg!, report, cases[report] as never)) : undefined;
      const same = JSON.stringify(d.rows) === JSON.stringify(a.rows) && (!p || JSON.stringify(d.rows) === JSON.stringify(p.rows));
      console.log(`| ${report} | ${d.rows.length.toLocaleString('en')} | ${d.median.toFixed(3)} | ${a.median.toFixed(3)} | ${inEngine.get(report)!.toFixed(3)} | ${p ? p.median.toFixed(3) : '-'} | ${p ? `${(p.median / a.median).toFixed(1)}×` : '-'} | ${same ? 'yes' : 'NO'} |`);
      if (pg) {
        let page: AnalyticsPage = { rows: [], rowCount: 0 };
        const { median } = await time(pgRuns, async () => {
          page = await runPostgresPage(pg!, report, cases[report] as never, MAX_QUERY_ROWS);
          return page.rows;
        });
        pgPages.set(report, { median, page });
      }
    }
    console.log(`\nWhat a stored query keeps (first ${MAX_QUERY_ROWS.toLocaleString('en')} rows + row count), the goal's figure:`);
    console.log('| report | rows kept / all | DuckDB pre-aggregated s | PostgreSQL (PGlite) s | PG / DuckDB | page = start of the full computation |');
    console.log('|---|---:|---:|---:|---:|---|');
    for (const report of reports) {
      const { median, page } = pages.get(report)!;
      const full = fullResults.get(report)!.rows;
      const p = pgPages.get(report);
      const same = JSON.stringify(page.rows) === JSON.stringify(full.slice(0, MAX_QUERY_ROWS)) && page.rowCount === full.length
        && (!p || (JSON.stringify(p.page.rows) === JSON.stringify(page.rows) && p.page.rowCount === page.rowCount));
      console.log(`| ${report} | ${page.rows.length.toLocaleString('en')} / ${page.rowCount.toLocaleString('en')} | ${median.toFixed(3)} | ${p ? p.median.toFixed(3) : '-'} | ${p ? `${(p.median / median).toFixed(1)}×` : '-'} | ${same ? 'yes' : 'NO'} |`);
    }
    const load = (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`\nmedian of ${runs} (DuckDB) / ${pgRuns} (PG) runs; load average ${load}`);
    await pg?.close();
  } finally {
    duck.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}
