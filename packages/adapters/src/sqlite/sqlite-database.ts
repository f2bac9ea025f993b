import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { indexKeyAttributes, type IndexName } from '@crm/core';

/**
 * Schema migrations, applied in order and recorded in `schema_version`. Never edit a released
 * migration; append a new one.
 *
 * Why `items` keeps a rowid: items are JSON documents of a few hundred bytes up to 400 KB, and a
 * WITHOUT ROWID table stores whole rows in its interior b-tree pages, which wrecks fan-out for rows
 * over ~1/20 of a page (SQLite docs). The UNIQUE (pk, sk) index serves table queries in key order.
 * The GSI indexes carry (pk, sk) after the index keys so ties on the index sort key come out in a
 * deterministic order and `startAfter` can resume inside a run of ties.
 */
/** Index columns of one GSI, created by the migration that introduced the GSI. */
function gsiColumnsAndIndex(index: IndexName): string {
  const { pk, sk } = indexKeyAttributes(index);
  return `
  ALTER TABLE items ADD COLUMN ${pk} TEXT;
  ALTER TABLE items ADD COLUMN ${sk} TEXT;
  CREATE INDEX items_${index} ON items (${pk}, ${sk}, pk, sk) WHERE ${pk} IS NOT NULL;`;
}

/** The GSIs of the first schema; later GSIs get their own migration (never edit a released one). */
const FIRST_INDEXES: readonly IndexName[] = ['gsi1', 'gsi2', 'gsi3', 'gsi4'];

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE items (
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    data TEXT NOT NULL,
    ${FIRST_INDEXES.map((index) => `${indexKeyAttributes(index).pk} TEXT, ${indexKeyAttributes(index).sk} TEXT`).join(',\n    ')},
    expires_at NUMERIC,
    UNIQUE (pk, sk)
  );
  ${FIRST_INDEXES.map((index) => {
    const { pk, sk } = indexKeyAttributes(index);
    return `CREATE INDEX items_${index} ON items (${pk}, ${sk}, pk, sk) WHERE ${pk} IS NOT NULL;`;
  }).join('\n  ')}
  CREATE INDEX items_expires_at ON items (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE changelog (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_name TEXT NOT NULL CHECK (event_name IN ('INSERT', 'MODIFY', 'REMOVE')),
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    new_image TEXT NULL,
    old_image TEXT NULL,
    created_at_ms INTEGER NOT NULL,
    user_identity TEXT NULL
  );
  CREATE INDEX changelog_created_at ON changelog (created_at_ms);

  CREATE TABLE change_feed_checkpoints (
    consumer TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: gsi5 — customers by owning org unit (data-domain scoping, issue 3).
  gsiColumnsAndIndex('gsi5'),
  // 3: the changed item's `entity`, so the change-feed dispatcher filters consumers' records
  // without reading images (Lambda filters before batching too). NULL on older rows.
  'ALTER TABLE changelog ADD COLUMN entity TEXT NULL;',
];

/** The schema version this code expects. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenSqliteDatabaseOptions {
  /** How long a writer waits for another connection's lock before SQLITE_BUSY (default 5000). */
  busyTimeoutMs?: number;
  /**
   * Whether this connection's commits checkpoint the WAL into the database file once it passes
   * 1000 pages (SQLite's default, true). The local server turns it off on its request thread when
   * the change-feed worker checkpoints instead.
   */
  walAutoCheckpoint?: boolean;
}

/**
 * Opens (creating the folder and file when needed) the local table database, applies the pragmas
 * the table store relies on and migrates the schema. Safe to call from several processes at once.
 * `:memory:` works too (WAL does not apply there).
 */
export function openSqliteDatabase(
  path: string,
  options: OpenSqliteDatabaseOptions = {},
): Database.Database {
  if (path !== ':memory:' && !path.startsWith('file:')) {
    mkdirSync(dirname(path), { recursive: true });
  }
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    // WAL lets the change-feed reader and HTTP writers proceed concurrently; NORMAL is durable
    // across application crashes (only an OS crash may lose the last transactions) and much faster.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    if (options.walAutoCheckpoint === false) db.pragma('wal_autocheckpoint = 0');
    applySqliteMigrations(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Brings the schema up to `SQLITE_SCHEMA_VERSION`. Idempotent; each migration runs in an
 * IMMEDIATE transaction that re-reads the version, so concurrent openers apply it once.
 */
export function applySqliteMigrations(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const currentVersion = db.prepare<[], { version: number | null }>(
    'SELECT MAX(version) AS version FROM schema_version',
  );
  const recordVersion = db.prepare<[number]>('INSERT INTO schema_version (version) VALUES (?)');
  const migrate = db.transaction(() => {
    const version = currentVersion.get()?.version ?? 0;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `Database schema version ${version} is newer than this code (${MIGRATIONS.length})`,
      );
    }
    for (let next = version; next < MIGRATIONS.length; next++) {
      db.exec(MIGRATIONS[next]!);
      recordVersion.run(next + 1);
    }
  });
  if ((currentVersion.get()?.version ?? 0) !== MIGRATIONS.length) migrate.immediate();
}
