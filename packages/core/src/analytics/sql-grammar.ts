import { LAKE_TABLES } from './lake-rows';
import { SQL_FRAGMENT_NAMES } from './sql-dialect';

/**
 * Keeps report SQL inside the common Trino (Athena) / DuckDB subset: a list of constructs one engine
 * accepts and the other rejects or reads differently. Checked on the SQL with string literals and
 * comments blanked out, so a literal like `'a::b'` is not a finding. The list is documented in
 * docs/analytics.md; extend both together.
 */
export interface ForbiddenConstruct {
  pattern: RegExp;
  why: string;
}

export const FORBIDDEN_SQL_CONSTRUCTS: readonly ForbiddenConstruct[] = [
  { pattern: /\bQUALIFY\b/i, why: 'QUALIFY is DuckDB-only; filter a window result in an outer SELECT' },
  { pattern: /\b(read_parquet|read_csv\w*|read_json\w*|parquet_scan)\s*\(/i, why: 'table functions are the shim\'s job: use {{table}}' },
  { pattern: /::/, why: ':: casts are DuckDB/PostgreSQL-only; use CAST(x AS type)' },
  { pattern: /\bILIKE\b/i, why: 'ILIKE is not in Trino; use lower(x) LIKE ...' },
  { pattern: /\[[^\]]*\bFOR\b[^\]]*\bIN\b/i, why: 'list comprehensions are DuckDB-only' },
  { pattern: /\bEXCLUDE\s*\(/i, why: 'SELECT * EXCLUDE is DuckDB-only' },
  { pattern: /\*\s*REPLACE\s*\(/i, why: 'SELECT * REPLACE is DuckDB-only' },
  { pattern: /\bCOLUMNS\s*\(/i, why: 'COLUMNS(...) is DuckDB-only' },
  { pattern: /\bGROUP\s+BY\s+ALL\b/i, why: 'GROUP BY ALL is DuckDB-only' },
  { pattern: /\bORDER\s+BY\s+ALL\b/i, why: 'ORDER BY ALL is DuckDB-only' },
  { pattern: /\bUSING\s+SAMPLE\b/i, why: 'USING SAMPLE is DuckDB-only' },
  { pattern: /\b(UN)?PIVOT\b/i, why: 'PIVOT/UNPIVOT are DuckDB-only' },
  { pattern: /->>?/, why: 'JSON arrows and lambda arrows are DuckDB-only (Trino: json_extract_scalar, x -> in lambdas differs)' },
  { pattern: /\bstruct_pack\s*\(|\bstruct_extract\s*\(/i, why: 'struct functions are DuckDB-only; Trino uses ROW' },
  { pattern: /\{[^{}]*:/, why: 'struct/map literals { ... : ... } are DuckDB-only' },
  { pattern: /\blist_\w+\s*\(|\blist\s*\(|\barray_length\s*\(/i, why: 'DuckDB list functions; Trino has cardinality/element_at' },
  { pattern: /\b(strftime|strptime|epoch|epoch_ms|datediff|date_sub|datesub|make_timestamp|today|time_bucket)\s*\(/i, why: 'DuckDB-only date functions; use date_diff(\'day\', a, b), CAST, date_trunc' },
  { pattern: /\b(median|quantile\w*|percentile_\w+|approx_percentile|approx_quantile)\s*\(/i, why: 'percentiles differ (Trino: approx only); use {{median(x)}}' },
  { pattern: /\b(string_agg|group_concat|listagg|string_split|str_split|regexp_matches)\s*\(/i, why: 'string aggregation/splitting differs between the engines' },
  { pattern: /\bFROM\s+[\w"{}.]+\s+SELECT\b/i, why: 'FROM-first queries are DuckDB-only' },
  { pattern: /\b(POSITIONAL|ASOF|ANTI|SEMI)\s+JOIN\b/i, why: 'DuckDB-only join kinds' },
  { pattern: /\bLIMIT\s+\d+(\.\d+)?\s*%/i, why: 'percentage LIMIT is DuckDB-only' },
  { pattern: /\*\*|\/\//, why: '** and // operators are DuckDB-only; use power() and integer CAST' },
  { pattern: /\$\w|\?/, why: 'use named :parameters; the shim numbers them' },
  { pattern: /\b(SUMMARIZE|DESCRIBE|PRAGMA|ATTACH|INSTALL|LOAD|COPY|INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|SET|CALL)\b/i, why: 'reports are a single read-only query' },
  { pattern: /;\s*\S/, why: 'one statement per file' },
  { pattern: /\bSELECT\s+DISTINCT\s+ON\b/i, why: 'DISTINCT ON is not in Trino; use ROW_NUMBER() in a subquery' },
];

/** Placeholders the shim understands; anything else in `{{ }}` is a finding too. */
const SHIM_HOLE = /\{\{\s*([a-z_]+)(?:\((.*?)\))?\s*\}\}/g;

export interface SqlFinding {
  line: number;
  text: string;
  why: string;
}

/** Findings of DuckDB-only (or otherwise non-portable) syntax in report SQL; empty when portable. */
export function checkPortableSql(sql: string): SqlFinding[] {
  const blanked = blankLiteralsAndComments(sql);
  // The shim's holes are legal; blank them (keeping line structure) before matching.
  const findings: SqlFinding[] = [];
  // The shim fills holes wherever they are, comments included: keep them out of comments and literals.
  blanked.split('\n').forEach((text, idx) => {
    const original = sql.split('\n')[idx]!;
    if ((original.match(/\{\{/g) ?? []).length !== (text.match(/\{\{/g) ?? []).length) findings.push({ line: idx + 1, text: original.trim(), why: '{{ }} inside a comment or literal (the shim would fill it)' });
  });
  const body = blanked.replace(SHIM_HOLE, (m, name: string, arg: string | undefined) => {
    const known = arg === undefined ? ([...LAKE_TABLES, ...SQL_FRAGMENT_NAMES] as string[]).includes(name) : name === 'median';
    if (!known) findings.push({ line: blanked.slice(0, blanked.indexOf(m)).split('\n').length, text: m, why: 'unknown shim placeholder' });
    return ' '.repeat(m.length);
  });
  const lines = body.split('\n');
  lines.forEach((text, idx) => {
    for (const c of FORBIDDEN_SQL_CONSTRUCTS) {
      if (c.pattern.test(text)) findings.push({ line: idx + 1, text: sql.split('\n')[idx]!.trim(), why: c.why });
    }
    if (/\{\{|\}\}/.test(text)) findings.push({ line: idx + 1, text: sql.split('\n')[idx]!.trim(), why: 'unknown shim placeholder' });
  });
  return findings;
}

/** Replaces the contents of '...' literals and -- / block comments with spaces (lines kept). */
export function blankLiteralsAndComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'") {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
      out += "'" + sql.slice(i + 1, j).replace(/[^\n]/g, ' ') + "'";
      i = j + 1;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      const end = nl < 0 ? sql.length : nl;
      out += ' '.repeat(end - i);
      i = end;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      const end = close < 0 ? sql.length : close + 2;
      out += sql.slice(i, end).replace(/[^\n]/g, ' ');
      i = end;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}
