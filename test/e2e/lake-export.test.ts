import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestCaller, type TestServer } from '../support/test-server';

let server: TestServer;
let admin: TestCaller;
beforeAll(async () => {
  server = await startTestServer();
  admin = await server.as('lake-co');
});
afterAll(() => server?.stop());

/** Rows of a lake table as DuckDB reads the local lake (Hive partitions tenant/dt). */
async function lakeRows(table: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    const glob = join(server.dataDir, 'lake', table, '*', '*', '*.parquet');
    const result = await db.runAndReadAll(`SELECT * EXCLUDE (dt), dt::VARCHAR AS dt FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true)`);
    return result.getRowObjectsJS() as Array<Record<string, unknown>>;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

describe('lake export (change feed → Parquet in <data>/lake)', () => {
  it('exports a new customer, its update, a recorded interaction and an order after the feed drains, with nothing sensitive', async () => {
    const customer = (await admin('POST', '/v1/customers', { kind: 'person', name: 'Lake Person', phones: [{ number: '+86 138 0013 8000', label: 'mobile' }], tags: ['vip'] })).body;
    expect(customer.id).toBeTruthy();
    const updated = await admin('PATCH', `/v1/customers/${customer.id}`, { tags: ['vip', 'east'] }, { 'if-match': '"1"' });
    expect(updated.status).toBe(200);
    const recorded = await admin('POST', '/v1/interactions', {
      customerId: customer.id, channel: 'sms', type: 'message', occurredAt: '2026-11-20T08:00:00+08:00', payload: { text: 'secret words', direction: 'inbound' },
    });
    expect(recorded.status).toBe(201);
    const order = await admin('POST', '/v1/orders', { customerId: customer.id, amount: 88.8, currency: 'CNY', status: 'paid', orderedAt: '2026-11-19T23:00:00Z', source: 'pos' });
    expect(order.status).toBe(201);

    await server.drain();

    const snapshots = (await lakeRows('customer_snapshots')).filter((r) => r.customer_id === customer.id);
    expect(snapshots.map((r) => [r.version, r.tags, r.deleted, r.tenant, r.tenant_id])).toEqual(
      expect.arrayContaining([[1, ['vip'], false, 'lake-co', 'lake-co'], [2, ['vip', 'east'], false, 'lake-co', 'lake-co']]),
    );
    expect(snapshots).toHaveLength(2);
    const interactions = (await lakeRows('interactions')).filter((r) => r.customer_id === customer.id);
    expect(interactions).toEqual([{
      tenant_id: 'lake-co', interaction_id: recorded.body.id, customer_id: customer.id, channel: 'sms', type: 'message',
      occurred_at: new Date('2026-11-20T00:00:00.000Z'), tenant: 'lake-co', dt: '2026-11-20',
    }]);
    const orders = (await lakeRows('orders')).filter((r) => r.customer_id === customer.id);
    expect(orders.map((r) => [r.order_id, String(r.amount), r.status, r.version, r.dt])).toEqual([[order.body.id, '88.8', 'paid', 1, '2026-11-19']]);
    const everything = JSON.stringify([...snapshots, ...interactions, ...orders]);
    for (const secret of ['Lake Person', '8613800138000', 'secret words']) expect(everything).not.toContain(secret);

    // Drained again (nothing new) and compacted: the same rows, in one file per partition.
    await server.drain();
    await server.runSchedules();
    expect((await lakeRows('customer_snapshots')).filter((r) => r.customer_id === customer.id)).toHaveLength(2);
    const partition = join(server.dataDir, 'lake', 'interactions', 'tenant=lake-co', 'dt=2026-11-20');
    expect(readdirSync(partition).filter((f) => f.endsWith('.parquet'))).toHaveLength(1);
  });
});
