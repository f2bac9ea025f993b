import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '@crm/core';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * `npm start` runs the stream consumers in a worker thread (CRM_CHANGE_FEED=worker, the default);
 * the rest of the suite runs them on the server's thread. This file runs the worker: the same
 * consumers see the server's commits, drain crosses the thread boundary, and stop ends the thread.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { CRM_CHANGE_FEED: 'worker' } });
}, 60_000);
afterAll(() => server?.stop());

const busEvents = (): DomainEvent[] => {
  const file = join(server.dataDir, 'events', 'events.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as DomainEvent) : [];
};

describe('change feed in a worker thread', () => {
  it('delivers the server thread’s commits to the consumers, and drain waits for them', async () => {
    const call = await server.as('worker-co');
    const created = await call('POST', '/v1/customers', { kind: 'person', name: 'Lin Wei' });
    expect(created.status).toBe(201);
    const batch = await call('POST', '/v1/interactions/batch', {
      items: Array.from({ length: 20 }, (_, i) => ({
        clientId: `w-${i}`, customerId: created.body.id, channel: 'sms', type: 'message',
        occurredAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(), payload: { text: `msg ${i}`, direction: 'inbound' },
      })),
    });
    expect(batch.body.counts).toMatchObject({ created: 20 });
    await server.drain();
    const events = busEvents().filter((e) => e.tenantId === 'worker-co');
    expect(events.filter((e) => e.type === 'customer.created').map((e) => e.subject.id)).toEqual([created.body.id]);
    const recorded = events.filter((e) => e.type === 'interaction.recorded').map((e) => e.subject.id);
    expect(recorded.sort()).toEqual(batch.body.results.map((r: { id: string }) => r.id).sort());
    // The audit consumer (also in the worker) chained the create: the audit log lists it.
    const audit = await call('GET', '/v1/audit/verify');
    expect(audit.body).toMatchObject({ ok: true });
    expect(audit.body.checked).toBeGreaterThan(0);
    // Nothing is delivered twice.
    await server.drain();
    expect(busEvents().filter((e) => e.tenantId === 'worker-co')).toHaveLength(events.length);
  });

  it('checkpoints the WAL into the database file (the worker does it for the server thread)', async () => {
    const call = await server.as('worker-co');
    for (let n = 0; n < 3; n += 1) {
      await call('POST', '/v1/interactions/batch', {
        items: Array.from({ length: 300 }, (_, i) => ({
          identity: { phone: `1390000${String(n * 1000 + i).padStart(4, '0')}` }, channel: 'sms', type: 'message',
          occurredAt: '2026-11-02T00:00:00Z', payload: { text: 'x'.repeat(500), direction: 'inbound' },
        })),
      });
    }
    await server.drain();
    // The worker's periodic PASSIVE checkpoint resets the WAL's content into the database file.
    await expect.poll(() => statSync(join(server.dataDir, 'crm.sqlite')).size, { timeout: 10_000, interval: 200 }).toBeGreaterThan(1_000_000);
  });
});
