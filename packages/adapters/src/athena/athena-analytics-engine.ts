import {
  GetQueryExecutionCommand, GetQueryResultsCommand, GetQueryRuntimeStatisticsCommand, StartQueryExecutionCommand, type AthenaClient,
} from '@aws-sdk/client-athena';
import {
  convertRows, pageLimit, prepareReport, renderSql, reportSqlTemplate, sqlStringLiteral,
  type AnalyticsEngine, type AnalyticsPage, type AnalyticsRow, type PreparedReport, type ReportName, type ReportParamsByName, type SqlValue,
} from '@crm/core';

export interface AthenaAnalyticsEngineOptions {
  /** Created once per container by the composition root. */
  client: AthenaClient;
  /** The workgroup (per-query bytes-scanned limit, encrypted results location). */
  workGroup: string;
  /** The Glue database of the lake tables, e.g. `crm_prod`. */
  database: string;
  catalog?: string;
  /** Delay between GetQueryExecution polls (default 500 ms). */
  pollIntervalMs?: number;
  /** Give up waiting after this long (default 60 s); the query keeps its id in the error. */
  timeoutMs?: number;
  /** Injected in tests so polling needs no real time. */
  sleep?: (ms: number) => Promise<void>;
}

/** Thrown when an Athena query ends FAILED or CANCELLED, or does not finish in time. */
export class AthenaQueryError extends Error {
  override readonly name = 'AthenaQueryError';
  constructor(readonly queryExecutionId: string, readonly state: string, reason: string | undefined) {
    super(`Athena query ${queryExecutionId} ${state}${reason ? `: ${reason}` : ''}`);
  }
}

const DATABASE_NAME = /^[a-z0-9_]{1,255}$/;

/**
 * The AWS analytics engine: the same report SQL on Athena over the Glue tables of the lake (partition
 * projection on `tenant` and `dt`). Named parameters become Athena execution parameters (`?`, values
 * as typed literals Athena substitutes server-side), `{{median(x)}}` becomes approx_percentile.
 */
export class AthenaAnalyticsEngine implements AnalyticsEngine {
  private readonly options: Required<Omit<AthenaAnalyticsEngineOptions, 'client'>> & { client: AthenaClient };

  constructor(options: AthenaAnalyticsEngineOptions) {
    if (!DATABASE_NAME.test(options.database)) throw new RangeError(`Invalid Glue database name ${options.database}`);
    this.options = {
      catalog: 'AwsDataCatalog',
      pollIntervalMs: 500,
      timeoutMs: 60_000,
      sleep: (ms) => new Promise((ok) => setTimeout(ok, ms)),
      ...options,
    };
  }

  async run<R extends ReportName>(tenantId: string, report: R, params: ReportParamsByName[R]): Promise<AnalyticsRow[]> {
    const prepared = prepareReport(tenantId, report, params);
    const id = await this.execute(prepared);
    return prepared.finish(convertRows(prepared.columns, await this.results(id)));
  }

  /**
   * A pageable report reads only the result pages the limit needs and takes the row count from the
   * query's runtime statistics (no paging through the rest); other reports are read whole and sliced.
   */
  async runPage<R extends ReportName>(tenantId: string, report: R, params: ReportParamsByName[R], options: { limit: number }): Promise<AnalyticsPage> {
    const limit = pageLimit(options.limit);
    const prepared = prepareReport(tenantId, report, params);
    const id = await this.execute(prepared);
    if (!prepared.pageable) {
      const rows = prepared.finish(convertRows(prepared.columns, await this.results(id)));
      return { rows: rows.slice(0, limit), rowCount: rows.length };
    }
    const rows = prepared.finish(convertRows(prepared.columns, await this.results(id, limit)));
    if (rows.length < limit) return { rows, rowCount: rows.length };
    const statistics = await this.options.client.send(new GetQueryRuntimeStatisticsCommand({ QueryExecutionId: id }));
    const outputRows = statistics.QueryRuntimeStatistics?.Rows?.OutputRows;
    if (outputRows === undefined) throw new Error(`Athena query ${id} reported no output row count`);
    return { rows, rowCount: Number(outputRows) };
  }

  private async execute(prepared: PreparedReport): Promise<string> {
    const { sql, values } = renderSql(reportSqlTemplate(prepared.report), {
      dialect: 'athena',
      table: (name) => `"${this.options.database}"."${name}"`,
      params: prepared.sqlParams,
    });
    const id = await this.start(sql, values);
    await this.waitFor(id);
    return id;
  }

  private async start(sql: string, values: SqlValue[]): Promise<string> {
    const out = await this.options.client.send(new StartQueryExecutionCommand({
      QueryString: sql,
      QueryExecutionContext: { Catalog: this.options.catalog, Database: this.options.database },
      WorkGroup: this.options.workGroup,
      ...(values.length ? { ExecutionParameters: values.map(athenaLiteral) } : {}),
    }));
    if (!out.QueryExecutionId) throw new Error('Athena returned no QueryExecutionId');
    return out.QueryExecutionId;
  }

  private async waitFor(id: string): Promise<void> {
    const deadline = this.options.timeoutMs;
    for (let waited = 0; ; waited += this.options.pollIntervalMs) {
      const out = await this.options.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const status = out.QueryExecution?.Status;
      const state = status?.State;
      if (state === 'SUCCEEDED') return;
      if (state === 'FAILED' || state === 'CANCELLED') throw new AthenaQueryError(id, state, status?.StateChangeReason);
      if (waited >= deadline) throw new AthenaQueryError(id, 'TIMED_OUT', `still ${state ?? 'unknown'} after ${deadline} ms`);
      await this.options.sleep(this.options.pollIntervalMs);
    }
  }

  /**
   * The result rows (the first `limit`, default all) as objects keyed by column name (the first row
   * of the first page is the header).
   */
  private async results(id: string, limit = Infinity): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    let nextToken: string | undefined;
    let first = true;
    do {
      // At most 1000 rows per call; ask for one more on the first page, whose first row is the header.
      const wanted = Math.min(1000, limit - rows.length + (first ? 1 : 0));
      const out = await this.options.client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: wanted, NextToken: nextToken }));
      const names = (out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      const page = out.ResultSet?.Rows ?? [];
      for (const [i, row] of page.entries()) {
        if (first && i === 0) continue;
        rows.push(Object.fromEntries(names.map((name, j) => [name, row.Data?.[j]?.VarCharValue ?? null])));
      }
      first = false;
      nextToken = out.NextToken;
    } while (nextToken && rows.length < limit);
    return rows.slice(0, limit);
  }
}

/** An execution parameter: Athena substitutes it as literal text, so strings are quoted and escaped. */
export function athenaLiteral(value: SqlValue): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('Non-finite number as SQL parameter');
    return String(value);
  }
  return sqlStringLiteral(value);
}
