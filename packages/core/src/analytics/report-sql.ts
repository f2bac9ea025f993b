import { readFileSync } from 'node:fs';
import type { ReportName } from './report-definitions';
import type { SqlFragmentName } from './sql-dialect';

const cache = new Map<string, string>();

function read(relative: string): string {
  let sql = cache.get(relative);
  if (sql === undefined) {
    sql = readFileSync(new URL(relative, import.meta.url), 'utf8');
    cache.set(relative, sql);
  }
  return sql;
}

/**
 * The SQL template of a report, read from `sql/<report>.sql` next to this module (the single source
 * for DuckDB, Athena and the Glue named queries). Bundles must ship the `sql/` folder next to the
 * bundle file (import.meta.url-relative).
 */
export function reportSqlTemplate(report: ReportName): string {
  return read(`./sql/${report}.sql`);
}

/** The SQL of a named fragment (`sql/fragments/<name>.sql`). */
export function fragmentSqlTemplate(name: SqlFragmentName): string {
  return read(`./sql/fragments/${name.replaceAll('_', '-')}.sql`);
}

/** A fragment as an inline subquery: the full computation (what Athena always runs). */
export function inlineFragment(name: SqlFragmentName): string {
  return `(\n${fragmentSqlTemplate(name)}\n)`;
}
