import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  // The local TTL sweeper every second (the local stand-in for DynamoDB's TTL process).
  server = await startTestServer({ env: { CRM_TTL_SWEEP_SECONDS: '1' } });
});
afterAll(() => server?.stop());

const sms = (customerId: string, text: string, occurredAt: string) => ({ customerId, channel: 'sms', type: 'message', occurredAt, payload: { text, direction: 'inbound' } });

/** Every page of the timeline, following `next`. */
async function pages(call: Awaited<ReturnType<TestServer['as']>>, customerId: string, limit: number): Promise<string[][]> {
  const out: string[][] = [];
  let after: string | undefined;
  do {
    const res = await call('GET', `/v1/customers/${customerId}/timeline?limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    expect(res.status).toBe(200);
    out.push(res.body.items.map((i: { payload: { text: string } }) => i.payload.text));
    after = res.body.next ?? undefined;
  } while (after && out.length < 20);
  return out;
}

describe('hot/cold archive through the server', () => {
  it('archives old interactions on TTL, pages the timeline into the archive, and rehydrates them', async () => {
    const call = await server.as('arch-e2e');
    const customer = (await call('POST', '/v1/customers', { kind: 'person', name: 'Li Na' })).body;
    expect((await call('PUT', '/v1/settings/interactions', { unknownIdentity: 'create-lead', interactionArchiveAfterDays: 29 }, { 'if-match': '"0"' })).status).toBe(400);
    const put = await call('PUT', '/v1/settings/interactions', { unknownIdentity: 'create-lead', interactionArchiveAfterDays: 30 }, { 'if-match': '"0"' });
    expect(put.body).toMatchObject({ interactionArchiveAfterDays: 30, version: 1 });
    expect((await call('GET', '/v1/settings/interactions')).body).toMatchObject({ interactionArchiveAfterDays: 30 });

    const now = Date.now();
    const recent = (days: number) => new Date(now - days * 86_400_000).toISOString();
    const batch = await call('POST', '/v1/interactions/batch', {
      items: [
        sms(customer.id, 'live-2', recent(1)), sms(customer.id, 'live-1', recent(2)),
        // Older than 30 days: their TTL is already past.
        sms(customer.id, 'old-3', '2024-03-03T00:00:00.000Z'), sms(customer.id, 'old-2', '2024-03-02T00:00:00.000Z'), sms(customer.id, 'old-1', '2024-03-01T00:00:00.000Z'),
      ],
    });
    expect(batch.body.counts).toMatchObject({ created: 5 });

    // The sweeper deletes them within a second or so; the archiver gets the REMOVE records on drain.
    const deadline = Date.now() + 30_000;
    let history: string[][] = [];
    while (Date.now() < deadline) {
      await server.drain();
      history = await pages(call, customer.id, 2);
      if (history.flat().length === 5) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(history).toEqual([['live-2', 'live-1'], ['old-3', 'old-2'], ['old-1']]);
    const archiveDir = join(server.dataDir, 'lake/archive/timeline/tenant=arch-e2e', `customer=${customer.id}`);
    expect(readdirSync(archiveDir).filter((f) => f.endsWith('.jsonl')).length).toBeGreaterThan(0);

    // Another tenant cannot rehydrate (or even name) this customer.
    const other = await server.as('arch-e2e-other');
    expect((await other('POST', `/v1/customers/${customer.id}/rehydrate`)).status).toBe(404);

    const rehydrated = await call('POST', `/v1/customers/${customer.id}/rehydrate`);
    expect(rehydrated.status).toBe(200);
    expect(rehydrated.body).toMatchObject({ customerId: customer.id, restored: 3, alreadyLive: 0 });
    expect(readdirSync(archiveDir).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
    expect(await pages(call, customer.id, 10)).toEqual([['live-2', 'live-1', 'old-3', 'old-2', 'old-1']]);
    expect((await call('POST', `/v1/customers/${customer.id}/rehydrate`)).body).toMatchObject({ restored: 0, alreadyLive: 0, files: 0 });
    await server.drain(); // the restored items carry no TTL: the sweeper leaves them, nothing is archived again
    expect(await pages(call, customer.id, 10)).toEqual([['live-2', 'live-1', 'old-3', 'old-2', 'old-1']]);

    const audit = await call('GET', `/v1/audit?resource=customer&resourceId=${customer.id}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.filter((e: { action: string }) => e.action === 'customers:rehydrate').map((e: { detail: unknown }) => e.detail)).toEqual([
      { restored: 0, alreadyLive: 0, files: 0 }, { restored: 3, alreadyLive: 0, files: expect.any(Number) },
    ]);
  });
});
