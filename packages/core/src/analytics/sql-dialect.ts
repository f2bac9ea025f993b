import { inlineFragment } from './report-sql';
import { LAKE_TABLES, type LakeTable } from './lake-rows';

/**
 * The dialect shim. Report SQL is written once in the common Trino (Athena) / DuckDB subset with
 * three kinds of holes the shim fills per engine:
 *
 * - `{{orders}}` (any lake table): a table reference the engine resolves (DuckDB: `read_parquet(...)`
 *   over the local lake folder; Athena: `"crm_<stage>"."orders"`);
 * - `{{median(expr)}}`: exact `median(expr)` on DuckDB and PostgreSQL, `approx_percentile(expr, 0.5)`
 *   on Athena (Trino has no exact median);
 * - `:name`: a named parameter, replaced by a positional placeholder (`?` for DuckDB and Athena's
 *   ExecutionParameters, `$n` for PostgreSQL) with its value appended to `values` — values are never
 *   spliced into the SQL text.
 *
 * Named parameters are only recognised outside string literals and comments.
 */
export type SqlDialect = 'duckdb' | 'athena' | 'postgres';

export type SqlValue = string | number;

export interface RenderedSql {
  sql: string;
  /** Positional values, one per placeholder in order of appearance (a name used twice appears twice). */
  values: SqlValue[];
  /** The parameter name of each placeholder (same order as `values`). */
  names: string[];
}

export interface RenderOptions {
  dialect: SqlDialect;
  /** The SQL that stands for a lake table in this engine (a table name or a table function call). */
  table: (name: LakeTable) => string;
  params: Readonly<Record<string, SqlValue>>;
  /**
   * The SQL that stands for a named fragment (`{{customer_order_summary}}`): the fragment's own SQL
   * in parentheses (`inlineFragment`, the full computation) or a pre-aggregated table holding the
   * same rows (default: inline). Fragments may contain parameters and table holes, but no fragments.
   */
  fragment?: (name: SqlFragmentName) => string;
}

/** Named SQL fragments (`sql/fragments/<name>.sql`) a report can use like a table. */
export const SQL_FRAGMENT_NAMES = ['customer_order_summary'] as const;
export type SqlFragmentName = (typeof SQL_FRAGMENT_NAMES)[number];
const isFragment = (name: string): name is SqlFragmentName => (SQL_FRAGMENT_NAMES as readonly string[]).includes(name);

const PLACEHOLDER = /\{\{\s*([a-z_]+)(?:\((.*?)\))?\s*\}\}/g;

/** Fills the template's holes for `dialect`; throws on an unknown hole or a missing parameter. */
export function renderSql(template: string, options: RenderOptions): RenderedSql {
  // Fragments first (their parameters are bound in place), then parameters, so text the table holes
  // bring in (paths, options) is never read as a parameter.
  const expanded = template.replace(PLACEHOLDER, (m, name: string, arg: string | undefined) => {
    if (arg !== undefined || !isFragment(name)) return m;
    return (options.fragment ?? inlineFragment)(name);
  });
  const bound = bindNamedParameters(expanded, options.dialect, options.params);
  const sql = bound.sql.replace(PLACEHOLDER, (_m, name: string, arg: string | undefined) => {
    if (arg === undefined) {
      if (!(LAKE_TABLES as readonly string[]).includes(name)) throw new Error(`Unknown lake table {{${name}}}`);
      return options.table(name as LakeTable);
    }
    if (name === 'median') return medianOf(arg.trim(), options.dialect);
    throw new Error(`Unknown shim function {{${name}(...)}}`);
  });
  return { ...bound, sql };
}

function medianOf(expr: string, dialect: SqlDialect): string {
  switch (dialect) {
    case 'athena': return `approx_percentile(${expr}, 0.5)`;
    case 'duckdb': return `median(${expr})`;
    // PostgreSQL's median of integers interpolates like DuckDB's median (quantile_cont).
    case 'postgres': return `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expr})`;
  }
}

/** Replaces `:name` outside literals/comments with positional placeholders. */
function bindNamedParameters(sql: string, dialect: SqlDialect, params: Readonly<Record<string, SqlValue>>): RenderedSql {
  let out = '';
  const values: SqlValue[] = [];
  const names: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'") {
      const end = endOfQuoted(sql, i, "'");
      out += sql.slice(i, end);
      i = end;
    } else if (ch === '"') {
      const end = endOfQuoted(sql, i, '"');
      out += sql.slice(i, end);
      i = end;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      const end = nl < 0 ? sql.length : nl;
      out += sql.slice(i, end);
      i = end;
    } else if (ch === ':' && sql[i + 1] !== ':' && sql[i - 1] !== ':' && /[a-z_]/.test(sql[i + 1] ?? '')) {
      const m = /^[a-z_][a-z0-9_]*/.exec(sql.slice(i + 1))!;
      const name = m[0];
      if (!Object.hasOwn(params, name)) throw new Error(`Missing SQL parameter :${name}`);
      values.push(params[name]!);
      names.push(name);
      out += dialect === 'postgres' ? `$${values.length}` : '?';
      i += 1 + name.length;
    } else {
      out += ch;
      i += 1;
    }
  }
  return { sql: out, values, names };
}

function endOfQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2; // doubled quote inside the literal
      else return i + 1;
    } else i += 1;
  }
  throw new Error('Unterminated quoted text in SQL');
}

/**
 * A string value as a SQL literal (`'it''s'`). Only for engines that take parameter values as
 * literals — Athena's ExecutionParameters are substituted as literal text server-side.
 */
export function sqlStringLiteral(value: string): string {
  if (value.includes('\u0000')) throw new RangeError('NUL in SQL string value');
  return `'${value.replaceAll("'", "''")}'`;
}
