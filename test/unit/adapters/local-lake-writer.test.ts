import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMPACTION_PLAN_FILE, compactedName, LocalLakeWriter, ParquetFiles } from '@crm/adapters/local-lake';
import type { LakePartition, LakeRow } from '@crm/core';

const T = '01JTENANT00000000000000000';
const partition: LakePartition = { table: 'orders', tenantId: T, dt: '2026-03-01' };

function orderRow(id: string, amount: number, version = 1): LakeRow {
  return {
    tenant_id: T, order_id: id, customer_id: 'c1', amount, currency: 'CNY', status: 'paid',
    ordered_at: '2026-03-01T10:00:00.000Z', source: 'pos', version,
  };
}

describe('LocalLakeWriter', () => {
  let root: string;
  let lake: LocalLakeWriter;
  let instance: DuckDBInstance;
  let db: DuckDBConnection;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    db = await instance.connect();
  });
  afterAll(() => {
    db.closeSync();
    instance.closeSync();
  });
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'crm-lake-test-'));
    lake = new LocalLakeWriter({ root });
  });
  afterEach(async () => {
    await lake.close();
    await rm(root, { recursive: true, force: true });
  });

  const folder = () => join(root, 'orders', `tenant=${T}`, 'dt=2026-03-01');
  const readOrders = async () => {
    const result = await db.runAndReadAll(
      `SELECT order_id, amount::VARCHAR AS amount, typeof(amount) AS amount_type, typeof(ordered_at) AS at_type, ordered_at::VARCHAR AS ordered_at, tenant, dt::VARCHAR AS dt, version
       FROM read_parquet('${root}/orders/*/*/*.parquet', hive_partitioning = true) ORDER BY order_id, version`,
    );
    return result.getRowObjectsJS();
  };

  it('writes ZSTD Parquet files in the Hive layout with the declared column types', async () => {
    await lake.append(partition, '100', [orderRow('o1', 10.5), orderRow('o2', 20)]);
    expect(await readdir(folder())).toEqual(['100.parquet']);
    expect(await readOrders()).toEqual([
      { order_id: 'o1', amount: '10.50', amount_type: 'DECIMAL(18,2)', at_type: 'TIMESTAMP', ordered_at: '2026-03-01 10:00:00', tenant: T, dt: '2026-03-01', version: 1 },
      { order_id: 'o2', amount: '20.00', amount_type: 'DECIMAL(18,2)', at_type: 'TIMESTAMP', ordered_at: '2026-03-01 10:00:00', tenant: T, dt: '2026-03-01', version: 1 },
    ]);
    const codecs = await db.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${folder()}/100.parquet')`);
    expect(codecs.getRowObjectsJS()).toEqual([{ compression: 'ZSTD' }]);
  });

  it('replaces the file of a redelivered batch instead of adding its rows again, and compacts a partition into one file', async () => {
    await lake.append(partition, '100', [orderRow('o1', 10)]);
    await lake.append(partition, '200', [orderRow('o2', 20), orderRow('o1', 10, 2)]);
    await lake.append(partition, '100', [orderRow('o1', 10)]); // redelivery
    expect(await lake.files(partition)).toEqual(['100.parquet', '200.parquet']);
    expect((await readOrders()).map((r) => `${r.order_id}@${r.version}`)).toEqual(['o1@1', 'o1@2', 'o2@1']);

    const result = await lake.compact(partition);
    expect(result).toEqual({ merged: 2, rows: 3, file: compactedName(['100.parquet', '200.parquet']) });
    expect(await readdir(folder())).toEqual([result.file]);
    expect((await readOrders()).map((r) => `${r.order_id}@${r.version}`)).toEqual(['o1@1', 'o1@2', 'o2@1']);
    // One file is nothing to merge.
    expect(await lake.compact(partition)).toEqual({ merged: 0, rows: 0 });
  });

  it('leaves files younger than the settle time (a redelivery may still replace them) out of a compaction', async () => {
    await lake.append(partition, '100', [orderRow('o1', 10)]);
    await lake.append(partition, '200', [orderRow('o2', 20)]);
    expect(await lake.compact(partition, { settledMs: 3_600_000 })).toEqual({ merged: 0, rows: 0 });
    expect(await lake.files(partition)).toEqual(['100.parquet', '200.parquet']);
    const later = new LocalLakeWriter({ root, now: () => Date.now() + 2 * 3_600_000 });
    try {
      expect((await later.compact(partition, { settledMs: 3_600_000, minFiles: 1 })).merged).toBe(2);
    } finally {
      await later.close();
    }
  });

  it('finishes a compaction that stopped after writing the merged file, without duplicating rows', async () => {
    await lake.append(partition, '100', [orderRow('o1', 10)]);
    await lake.append(partition, '200', [orderRow('o2', 20)]);
    // The state a crash between "merged file written" and "inputs deleted" leaves behind.
    const inputs = ['100.parquet', '200.parquet'];
    const output = compactedName(inputs);
    const parquet = new ParquetFiles();
    await parquet.merge('orders', inputs.map((f) => join(folder(), f)), join(folder(), output));
    await parquet.close();
    await writeFile(join(folder(), COMPACTION_PLAN_FILE), JSON.stringify({ output, inputs }));
    expect((await readOrders()).length).toBe(4); // duplicates until the compaction is finished

    await lake.append(partition, '300', [orderRow('o3', 30)]);
    const result = await lake.compact(partition);
    expect(result.merged).toBe(2); // the finished merge's output + batch 300
    expect(await readdir(folder())).toEqual([result.file]);
    expect((await readOrders()).map((r) => r.order_id)).toEqual(['o1', 'o2', 'o3']);
  });

  it('writes lists and nulls of the other tables with their declared types', async () => {
    await lake.append({ table: 'customer_snapshots', tenantId: T, dt: '2026-03-01' }, '7', [{
      tenant_id: T, customer_id: 'c1', kind: 'person', owner_id: null, org_path: '/', tags: ['vip', 'east'],
      created_at: '2026-03-01T00:00:00.000Z', updated_at: '2026-03-01T01:00:00.000Z', version: 3, deleted: false,
    }]);
    await lake.append({ table: 'deal_stage_changes', tenantId: T, dt: '2026-03-01' }, '7', [{
      tenant_id: T, deal_id: 'd1', pipeline_id: 'p1', from_stage: null, to_stage: 'lead', outcome: null,
      changed_at: '2026-03-01T00:00:00.000Z', duration_ms: null, amount: null, currency: 'EUR', owner_id: 'u1',
    }]);
    const snapshot = await db.runAndReadAll(`SELECT tags, typeof(tags) AS t, deleted, version, owner_id FROM read_parquet('${root}/customer_snapshots/*/*/*.parquet')`);
    expect(snapshot.getRowObjectsJS()).toEqual([{ tags: ['vip', 'east'], t: 'VARCHAR[]', deleted: false, version: 3, owner_id: null }]);
    const stage = await db.runAndReadAll(`SELECT from_stage, duration_ms, typeof(duration_ms) AS t, amount FROM read_parquet('${root}/deal_stage_changes/*/*/*.parquet')`);
    expect(stage.getRowObjectsJS()).toEqual([{ from_stage: null, duration_ms: null, t: 'BIGINT', amount: null }]);
  });

  it('lists the tenants that have a partition on a date', async () => {
    await lake.append(partition, '100', [orderRow('o1', 10)]);
    await lake.append({ ...partition, tenantId: 'OTHERTENANT' }, '100', [{ ...orderRow('o9', 1), tenant_id: 'OTHERTENANT' }]);
    await lake.append({ ...partition, dt: '2026-03-02' }, '100', [orderRow('o5', 1)]);
    expect(await lake.tenantsWithPartition('orders', '2026-03-01')).toEqual([T, 'OTHERTENANT']);
    expect(await lake.tenantsWithPartition('orders', '2026-03-02')).toEqual([T]);
    expect(await lake.tenantsWithPartition('interactions', '2026-03-01')).toEqual([]);
    // Any date: every tenant with a Parquet file of the table.
    expect(await lake.tenantsWithPartition('orders')).toEqual([T, 'OTHERTENANT'].sort());
    expect(await lake.tenantsWithPartition('interactions')).toEqual([]);
  });

  it('refuses partition values and batch ids that are not safe path segments', async () => {
    await expect(lake.append({ ...partition, tenantId: '../x' }, '1', [orderRow('o1', 1)])).rejects.toThrow(/tenant/);
    await expect(lake.append({ ...partition, dt: '2026-3-1' }, '1', [orderRow('o1', 1)])).rejects.toThrow(/date/);
    await expect(lake.append(partition, '../1', [orderRow('o1', 1)])).rejects.toThrow(/batch/);
  });
});
