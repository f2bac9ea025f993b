import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAKE_COLUMNS, type LakeRow, type LakeTable } from '@crm/core';

/**
 * Parquet files of the lake, made by an in-memory DuckDB: rows go in as newline-delimited JSON
 * read with the table's declared column types (so every file of a table has the same schema,
 * whatever values a batch happens to hold) and come out as ZSTD-compressed Parquet. Shared by the
 * local and the S3 lake writers so both produce byte-for-byte the same kind of file.
 */
export class ParquetFiles {
  private connection?: Promise<DuckDBConnection>;
  private instance?: DuckDBInstance;
  // DuckDB runs one statement at a time per connection; calls queue here.
  private tail: Promise<unknown> = Promise.resolve();

  /** Writes `rows` of `table` to the Parquet file `path` (replaced if it exists). */
  async write(table: LakeTable, rows: readonly LakeRow[], path: string): Promise<void> {
    const columns = LAKE_COLUMNS[table];
    const scratch = await mkdtemp(join(tmpdir(), 'crm-lake-'));
    try {
      const input = join(scratch, `${randomUUID()}.jsonl`);
      await writeFile(input, rows.map((row) => JSON.stringify(pick(row, columns.map((c) => c.name)))).join('\n') + '\n');
      const types = columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(', ');
      const select = columns.map((c) => quoteIdent(c.name)).join(', ');
      await this.run(
        `COPY (SELECT ${select} FROM read_json(${sqlString(input)}, format = 'newline_delimited', columns = {${types}})) ` +
          `TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** Writes the rows of all `inputs` (Parquet files of `table`, in order) into one Parquet file `path`. */
  async merge(table: LakeTable, inputs: readonly string[], path: string): Promise<number> {
    const select = LAKE_COLUMNS[table].map((c) => quoteIdent(c.name)).join(', ');
    const files = `[${inputs.map(sqlString).join(', ')}]`;
    await this.run(`COPY (SELECT ${select} FROM read_parquet(${files})) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
    return this.rowCount(path);
  }

  /** Rows in a Parquet file (from its footer). */
  async rowCount(path: string): Promise<number> {
    const rows = await this.read(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(path)})`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Releases DuckDB (the writer is unusable afterwards). */
  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    if (this.connection) (await this.connection).closeSync();
    this.instance?.closeSync();
    this.connection = undefined;
    this.instance = undefined;
  }

  private run(sql: string): Promise<void> {
    return this.queue(async (c) => {
      await c.run(sql);
    });
  }

  private read(sql: string): Promise<Record<string, unknown>[]> {
    return this.queue(async (c) => (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
  }

  private queue<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.tail.then(async () => work(await this.connect()));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private connect(): Promise<DuckDBConnection> {
    this.connection ??= (async () => {
      // Loaded on first use: Lambda bundles keep DuckDB external; the lake functions ship it in
      // their own node_modules (manifest `nativePackages`).
      const { DuckDBInstance } = await import('@duckdb/node-api');
      this.instance = await DuckDBInstance.create(':memory:', EMBEDDED_DUCKDB_CONFIG);
      return this.instance.connect();
    })();
    return this.connection;
  }
}

/**
 * Settings for an embedded DuckDB that must work in Lambda: JSON and Parquet are built in, so no
 * extension is ever downloaded (nothing may reach the internet), and spill files go to the
 * writable temp folder (the default `.tmp` is relative to the working directory, read-only
 * `/var/task` in Lambda).
 */
export const EMBEDDED_DUCKDB_CONFIG: Record<string, string> = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  temp_directory: join(tmpdir(), 'crm-duckdb-spill'),
};

function pick(row: LakeRow, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = row[name] ?? null;
  return out;
}

/** A SQL string literal (DuckDB/Trino: single quotes doubled). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
