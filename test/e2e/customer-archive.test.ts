import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteDatabase, SqliteTableStore } from '@crm/adapters/sqlite';
import { customerKeys } from '@crm/core';
import { startTestServer, type TestCaller, type TestServer } from '../support/test-server';

let server: TestServer;
let call: TestCaller;
beforeAll(async () => {
  // The local TTL sweeper every second (the local stand-in for DynamoDB's TTL process).
  server = await startTestServer({ env: { CRM_TTL_SWEEP_SECONDS: '1' } });
  call = await server.as('stub-e2e');
});
afterAll(() => server?.stop());

const sms = (customerId: string, text: string, occurredAt: string) => ({ customerId, channel: 'sms', type: 'message', occurredAt, payload: { text, direction: 'inbound' } });

/**
 * Time cannot be wound forward through the API, so the test backdates one profile the way a
 * customer last edited in 2022 would be stored: a new version with that `updatedAt`, written
 * through the table adapter on the server's own database (its change feed exports it to the lake
 * like any write).
 */
async function lastEditedIn2022(customerId: string): Promise<void> {
  const db = openSqliteDatabase(join(server.dataDir, 'crm.sqlite'));
  try {
    const store = new SqliteTableStore({ db });
    const key = customerKeys.profile('stub-e2e', customerId);
    const item = (await store.get(key))!;
    await store.put({ ...item, version: (item.version as number) + 1, updatedAt: '2022-05-01T08:00:00.000Z' }, { condition: { kind: 'equals', attribute: 'version', value: item.version as number } });
  } finally {
    db.close();
  }
}

async function timeline(customerId: string): Promise<string[]> {
  const res = await call('GET', `/v1/customers/${customerId}/timeline?limit=50`);
  expect(res.status).toBe(200);
  return res.body.items.map((i: { payload: { text: string } }) => i.payload.text);
}

describe('customer stubs through the server', () => {
  it('archives an inactive customer into a stub on the daily schedule, refuses writes to it, and rehydrates it', async () => {
    expect((await call('PUT', '/v1/settings/interactions', { unknownIdentity: 'create-lead', customerArchiveAfterDays: 364 }, { 'if-match': '"0"' })).status).toBe(400);
    const put = await call('PUT', '/v1/settings/interactions', { unknownIdentity: 'create-lead', customerArchiveAfterDays: 365 }, { 'if-match': '"0"' });
    expect(put.status).toBe(200);
    expect((await call('GET', '/v1/settings/interactions')).body).toMatchObject({ customerArchiveAfterDays: 365, interactionArchiveAfterDays: null });

    const created = await call('POST', '/v1/customers', {
      kind: 'person', name: 'Old Friend', phones: [{ number: '13912340001' }], emails: [{ address: 'old@example.com' }], tags: ['vip'], customFields: {},
    });
    expect(created.status).toBe(201);
    const old = created.body.id as string;
    const recent = (await call('POST', '/v1/customers', { kind: 'person', name: 'Recent Friend' })).body.id as string;
    const batch = await call('POST', '/v1/interactions/batch', {
      items: [sms(old, 'old-2', '2022-04-02T00:00:00.000Z'), sms(old, 'old-1', '2022-04-01T00:00:00.000Z'), sms(recent, 'recent-old', '2022-04-01T00:00:00.000Z')],
    });
    expect(batch.body.counts).toMatchObject({ created: 3 });
    await lastEditedIn2022(old);
    const full = (await call('GET', `/v1/customers/${old}`)).body;

    // The change feed exports snapshots and interactions to the lake; the daily job reads it.
    await server.drain();
    expect(existsSync(join(server.dataDir, 'lake/customer_snapshots/tenant=stub-e2e'))).toBe(true);
    await server.runSchedules();
    await server.drain();

    const stub = await call('GET', `/v1/customers/${old}`);
    expect(stub.status).toBe(200);
    expect(stub.body).toMatchObject({ id: old, name: 'Old Friend', tags: ['vip'], archived: true, archivedAt: expect.any(String), phones: [], emails: [], version: full.version + 1 });
    expect(stub.body.address).toBeUndefined();
    expect((await call('GET', `/v1/customers/${recent}`)).body.archived).toBeUndefined();
    const list = await call('GET', '/v1/customers?tag=vip');
    expect(list.body.items.map((c: { id: string; archived?: boolean }) => [c.id, c.archived])).toEqual([[old, true]]);
    expect(existsSync(join(server.dataDir, `lake/archive/customers/tenant=stub-e2e/customer=${old}/profile.json`))).toBe(true);

    const patch = await call('PATCH', `/v1/customers/${old}`, { name: 'New Name' }, { 'if-match': stub.headers.get('etag')! });
    expect(patch.status).toBe(409);
    expect(patch.headers.get('content-type')).toContain('application/problem+json');
    expect(patch.body).toMatchObject({ status: 409, code: 'customer_archived', detail: expect.stringContaining('rehydrate') });
    expect((await call('DELETE', `/v1/customers/${old}`)).body.code).toBe('customer_archived');

    // The timeline items were given a TTL of now: the sweeper removes them and the archiver files
    // them, and the timeline continues into them.
    const deadline = Date.now() + 30_000;
    let history: string[] = [];
    while (Date.now() < deadline) {
      await server.drain();
      history = await timeline(old);
      if (history.length === 2 && existsSync(join(server.dataDir, `lake/archive/timeline/tenant=stub-e2e/customer=${old}`))) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(history).toEqual(['old-2', 'old-1']);

    // Another tenant cannot rehydrate it.
    expect((await (await server.as('stub-e2e-other'))('POST', `/v1/customers/${old}/rehydrate`)).status).toBe(404);
    const rehydrated = await call('POST', `/v1/customers/${old}/rehydrate`);
    expect(rehydrated.status).toBe(200);
    expect(rehydrated.body).toMatchObject({ customerId: old, profileRestored: true, restored: 2, alreadyLive: 0 });
    const back = await call('GET', `/v1/customers/${old}`);
    const { version: _v, updatedAt: _u, updatedBy: _b, ...same } = full;
    expect(back.body).toEqual({ ...same, version: full.version + 2, updatedAt: expect.any(String), updatedBy: expect.any(String) });
    expect(back.body.archived).toBeUndefined();
    expect(existsSync(join(server.dataDir, `lake/archive/customers/tenant=stub-e2e/customer=${old}/profile.json`))).toBe(false);
    expect(await timeline(old)).toEqual(['old-2', 'old-1']);
    expect((await call('PATCH', `/v1/customers/${old}`, { tags: ['vip', 'back'] }, { 'if-match': back.headers.get('etag')! })).status).toBe(200);

    // Rehydrated means active: the next daily run leaves it alone.
    await server.drain();
    await server.runSchedules();
    await server.drain();
    expect((await call('GET', `/v1/customers/${old}`)).body.archived).toBeUndefined();
  });
});
