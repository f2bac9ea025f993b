import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, GetQueryRuntimeStatisticsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AthenaAnalyticsEngine, AthenaQueryError, athenaLiteral } from '@crm/adapters/athena';
import { blankLiteralsAndComments } from '@crm/core';

/** The Athena adapter's command inputs (no AWS): query text, parameters, polling, result paging. */
const athena = mockClient(AthenaClient);
const sleeps: number[] = [];
const engine = () => new AthenaAnalyticsEngine({
  client: new AthenaClient({ region: 'eu-central-1' }), workGroup: 'crm-analytics', database: 'crm_prod',
  pollIntervalMs: 250, timeoutMs: 1000, sleep: async (ms) => { sleeps.push(ms); },
});

const cell = (v: string | undefined) => (v === undefined ? {} : { VarCharValue: v });
const row = (...values: (string | undefined)[]) => ({ Data: values.map(cell) });
const COLUMNS = ['customer_id', 'recency_days', 'frequency', 'monetary', 'last_order_at'].map((Name) => ({ Name, Type: 'varchar' }));

beforeEach(() => {
  athena.reset();
  sleeps.length = 0;
});

describe('AthenaAnalyticsEngine', () => {
  it('starts the report SQL with positional execution parameters in the workgroup and database', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: undefined }).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: COLUMNS }, Rows: [row('customer_id', 'recency_days', 'frequency', 'monetary', 'last_order_at'), row('c-1', '45', '3', '1200.50', '2026-04-17 09:30:00.000')] },
      NextToken: 'page-2',
    });
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: 'page-2' }).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: COLUMNS }, Rows: [row('c-2', '31', '1', '99.00', undefined)] },
    });

    const rows = await engine().run('tenant-a', 'churn-risk', { currency: 'CNY', asOf: '2026-06-01T00:00:00Z' });

    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start.WorkGroup).toBe('crm-analytics');
    expect(start.QueryExecutionContext).toEqual({ Catalog: 'AwsDataCatalog', Database: 'crm_prod' });
    // In order of appearance: as_of (recency), the inlined summary fragment's tenant_id twice
    // (partition column and data column) and as_of, then currency and days.
    expect(start.ExecutionParameters).toEqual(["'2026-06-01 00:00:00.000'", "'tenant-a'", "'tenant-a'", "'2026-06-01 00:00:00.000'", "'CNY'", '30']);
    expect(start.QueryString).toContain('FROM "crm_prod"."orders"');
    expect(start.QueryString).toContain('WHERE tenant = ? AND tenant_id = ?');
    expect(start.QueryString).not.toMatch(/\{\{|tenant-a/);
    expect(blankLiteralsAndComments(start.QueryString!).split('?').length - 1).toBe(start.ExecutionParameters!.length);
    expect(athena.commandCalls(GetQueryExecutionCommand).map((c) => c.args[0].input)).toEqual(Array(3).fill({ QueryExecutionId: 'q-1' }));
    expect(sleeps).toEqual([250, 250]);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-1', MaxResults: 1000, NextToken: undefined },
      { QueryExecutionId: 'q-1', MaxResults: 1000, NextToken: 'page-2' },
    ]);
    expect(rows).toEqual([
      { customer_id: 'c-1', recency_days: 45, frequency: 3, monetary: '1200.50', last_order_at: '2026-04-17T09:30:00.000Z' },
      { customer_id: 'c-2', recency_days: 31, frequency: 1, monetary: '99.00', last_order_at: null },
    ]);
  });

  it('uses approx_percentile for the funnel median and orders stages like DuckDB', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: ['stage', 'deals_reached', 'deals_lost', 'median_ms'].map((Name) => ({ Name, Type: 'varchar' })) },
        Rows: [row('stage', 'deals_reached', 'deals_lost', 'median_ms'), row('lead', '10', '2', '3600000'), row('won', '4', '0', undefined)],
      },
    });
    const rows = await engine().run('tenant-a', 'funnel', { pipelineId: 'p-1', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', stages: ['lead', 'won'] });
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start.QueryString).toContain('approx_percentile(duration_ms, 0.5)');
    expect(start.ExecutionParameters).toEqual(["'tenant-a'", "'tenant-a'", "'p-1'", "'2026-01-01 00:00:00.000'", "'2026-02-01 00:00:00.000'"]);
    expect(rows).toEqual([
      { stage: 'lead', deals_reached: 10, deals_lost: 2, median_ms: 3600000, position: 1, conversion_to_next: 0.4 },
      { stage: 'won', deals_reached: 4, deals_lost: 0, median_ms: null, position: 2, conversion_to_next: null },
    ]);
  });

  it('reads only the result pages a page needs and takes the row count from the runtime statistics', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-3', NextToken: undefined }).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: COLUMNS }, Rows: [row('customer_id', 'recency_days', 'frequency', 'monetary', 'last_order_at'), row('c-1', '45', '3', '1.00', undefined), row('c-2', '40', '2', '2.00', undefined)] },
      NextToken: 'page-2',
    });
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-3', NextToken: 'page-2' }).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: COLUMNS }, Rows: [row('c-3', '33', '1', '3.00', undefined)] },
      NextToken: 'page-3',
    });
    athena.on(GetQueryRuntimeStatisticsCommand, { QueryExecutionId: 'q-3' }).resolves({ QueryRuntimeStatistics: { Rows: { OutputRows: 250_000 } } });

    const page = await engine().runPage('tenant-a', 'churn-risk', { currency: 'CNY', asOf: '2026-06-01T00:00:00Z' }, { limit: 3 });

    expect(page.rowCount).toBe(250_000);
    expect(page.rows.map((r) => r.customer_id)).toEqual(['c-1', 'c-2', 'c-3']);
    // First call asks for the header too; the second only for what is still missing; page 3 is never read.
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-3', MaxResults: 4, NextToken: undefined },
      { QueryExecutionId: 'q-3', MaxResults: 1, NextToken: 'page-2' },
    ]);
    await expect(engine().runPage('tenant-a', 'churn-risk', { currency: 'CNY', asOf: '2026-06-01T00:00:00Z' }, { limit: 0 })).rejects.toThrow(RangeError);
  });

  it('escapes quotes in string parameters (Athena substitutes them as literals)', () => {
    expect(athenaLiteral("p-1' OR '1'='1")).toBe("'p-1'' OR ''1''=''1'");
    expect(athenaLiteral(30)).toBe('30');
  });

  it('throws AthenaQueryError with the reason when the query fails', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'Bytes scanned limit was exceeded' } } });
    await expect(engine().run('tenant-a', 'rfm', { currency: 'CNY', asOf: '2026-06-01T00:00:00Z' })).rejects.toThrow(new AthenaQueryError('q-3', 'FAILED', 'Bytes scanned limit was exceeded'));
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('gives up after the timeout', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-4' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    await expect(engine().run('tenant-a', 'rfm', { currency: 'CNY', asOf: '2026-06-01T00:00:00Z' })).rejects.toThrow(/q-4 TIMED_OUT/);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(5);
  });

  it('validates params before starting anything', async () => {
    await expect(engine().run('tenant-a', 'funnel', { pipelineId: 'p', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).rejects.toThrow(/from must be before to/);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});
