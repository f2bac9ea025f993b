import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FORBIDDEN_SQL_CONSTRUCTS, REPORT_NAMES, blankLiteralsAndComments, checkPortableSql, renderSql, reportSqlTemplate, type LakeTable } from '@crm/core';

const SQL_DIR = new URL('../../../packages/core/src/analytics/sql/', import.meta.url);
const sqlFiles = readdirSync(SQL_DIR).filter((f) => f.endsWith('.sql'));

describe('report SQL stays in the common Trino/DuckDB subset', () => {
  it('has one .sql file per report and nothing else', () => {
    expect(sqlFiles.sort()).toEqual(REPORT_NAMES.map((r) => `${r}.sql`).sort());
  });

  it.each(sqlFiles)('%s has no DuckDB-only (or otherwise non-portable) syntax', (file) => {
    expect(checkPortableSql(readFileSync(new URL(file, SQL_DIR), 'utf8'))).toEqual([]);
  });

  // Each sample must be caught: a check that finds nothing proves nothing.
  const SAMPLES = [
    'SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY a) = 1',
    "SELECT * FROM read_parquet('x.parquet')",
    'SELECT a::INTEGER FROM t',
    "SELECT * FROM t WHERE a ILIKE 'x%'",
    'SELECT [x * 2 FOR x IN xs] FROM t',
    'SELECT * EXCLUDE (a) FROM t',
    'SELECT * REPLACE (a + 1 AS a) FROM t',
    'SELECT COLUMNS(\'a.*\') FROM t',
    'SELECT a, count(*) FROM t GROUP BY ALL',
    'SELECT a FROM t ORDER BY ALL',
    'SELECT a FROM t USING SAMPLE 10%',
    'PIVOT t ON a USING sum(b)',
    "SELECT j->>'$.a' FROM t",
    "SELECT struct_pack(a := 1)",
    "SELECT {'a': 1}",
    'SELECT list_sum(xs) FROM t',
    "SELECT strftime(ts, '%Y') FROM t",
    'SELECT median(a) FROM t',
    'SELECT approx_percentile(a, 0.5) FROM t',
    "SELECT string_agg(a, ',') FROM t",
    'FROM t SELECT a',
    'SELECT * FROM a ASOF JOIN b ON a.t >= b.t',
    'SELECT a FROM t LIMIT 10%',
    'SELECT a ** 2, a // 2 FROM t',
    'SELECT a FROM t WHERE b = ?',
    'SELECT a FROM t WHERE b = $1',
    'CREATE TABLE x AS SELECT 1',
    'SELECT 1; SELECT 2',
    'SELECT * FROM {{unknown_table}}',
  ];
  it.each(SAMPLES)('catches: %s', (sql) => {
    expect(checkPortableSql(sql).length).toBeGreaterThan(0);
  });

  it('ignores forbidden text inside literals and comments', () => {
    expect(checkPortableSql("SELECT 'a::b ILIKE QUALIFY' AS x -- GROUP BY ALL\nFROM {{orders}} /* PIVOT */ WHERE a = :p")).toEqual([]);
  });

  it('flags shim holes inside comments (the shim would fill them there too)', () => {
    expect(checkPortableSql('-- reads {{orders}}\nSELECT 1 FROM {{orders}}')).toHaveLength(1);
  });

  it.each(readdirSync(new URL('fragments/', SQL_DIR)))('fragment %s is portable too', (file) => {
    expect(checkPortableSql(readFileSync(new URL(`fragments/${file}`, SQL_DIR), 'utf8'))).toEqual([]);
  });

  it('documents every construct with a reason', () => {
    for (const c of FORBIDDEN_SQL_CONSTRUCTS) expect(c.why.length).toBeGreaterThan(10);
  });
});

describe('the dialect shim', () => {
  const table = (dialect: string) => (name: LakeTable) => `<${dialect}:${name}>`;

  it('numbers named parameters in order (a repeated name repeats its value), skipping literals and comments', () => {
    const out = renderSql("SELECT ':not_a_param' AS s -- :nor_this\nFROM {{orders}} WHERE tenant = :tenant_id AND tenant_id = :tenant_id AND amount > :min", {
      dialect: 'duckdb', table: table('duckdb'), params: { tenant_id: 't1', min: 5 },
    });
    expect(out.sql).toBe("SELECT ':not_a_param' AS s -- :nor_this\nFROM <duckdb:orders> WHERE tenant = ? AND tenant_id = ? AND amount > ?");
    expect(out.values).toEqual(['t1', 't1', 5]);
    expect(out.names).toEqual(['tenant_id', 'tenant_id', 'min']);
  });

  it('uses $n placeholders for PostgreSQL', () => {
    expect(renderSql('SELECT :a, :b, :a', { dialect: 'postgres', table: table('pg'), params: { a: 1, b: 'x' } }).sql).toBe('SELECT $1, $2, $3');
  });

  it('maps {{median(x)}} per dialect: exact on DuckDB, approx_percentile on Athena', () => {
    const render = (dialect: 'duckdb' | 'athena' | 'postgres') => renderSql('SELECT {{median(duration_ms)}} FROM {{deal_stage_changes}}', { dialect, table: table(dialect), params: {} }).sql;
    expect(render('duckdb')).toBe('SELECT median(duration_ms) FROM <duckdb:deal_stage_changes>');
    expect(render('athena')).toBe('SELECT approx_percentile(duration_ms, 0.5) FROM <athena:deal_stage_changes>');
    expect(render('postgres')).toBe('SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) FROM <postgres:deal_stage_changes>');
  });

  it('refuses unknown tables, unknown functions and missing parameters', () => {
    const opts = { dialect: 'duckdb' as const, table: table('duckdb'), params: {} };
    expect(() => renderSql('SELECT 1 FROM {{customers}}', opts)).toThrow(/Unknown lake table/);
    expect(() => renderSql('SELECT {{mode(a)}}', opts)).toThrow(/Unknown shim function/);
    expect(() => renderSql('SELECT :x', opts)).toThrow(/Missing SQL parameter :x/);
  });

  it('renders every report for Athena with only its parameters and Glue tables', () => {
    for (const report of REPORT_NAMES) {
      const params = { tenant_id: 't', currency: 'CNY', as_of: '2026-01-01 00:00:00.000', days: 30, pipeline_id: 'p', from: 'a', to: 'b', cutoff: '2025-01-01 00:00:00.000' };
      const out = renderSql(reportSqlTemplate(report), { dialect: 'athena', table: (n) => `"crm_test"."${n}"`, params });
      expect(blankLiteralsAndComments(out.sql)).not.toMatch(/\{\{|:[a-z]/);
      expect(out.sql).toMatch(/FROM "crm_test"\."(orders|deal_stage_changes)"/);
      expect(out.values.length).toBe(out.sql.split('?').length - 1);
    }
  });
});
