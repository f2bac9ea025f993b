import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { describeTableStoreContract } from './table-store.contract';

// A real file (not :memory:) so WAL and the pragmas the local runtime uses are exercised too.
describeTableStoreContract('SQLite', (clock) => {
  const folder = mkdtempSync(join(tmpdir(), 'crm-table-store-'));
  const db = openSqliteDatabase(join(folder, 'nested', 'crm.sqlite'));
  return {
    store: new SqliteTableStore({ db, clock }),
    close: () => {
      db.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
});
