import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_DEFINITIONS, eventSchema, type DomainEvent } from '@crm/core';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const busEvents = (): DomainEvent[] =>
  readFileSync(join(server.dataDir, 'events', 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as DomainEvent);

describe('domain events from the change feed (local bus)', () => {
  it('create, update, delete and restore of a customer become versioned events in order, once each', async () => {
    const token = await server.token('events-co', { userId: 'root', roles: ['admin'] });
    const created = await server.call('POST', '/v1/customers', { token, body: { kind: 'person', name: '王五', phones: [{ number: '13800138000' }], tags: ['lead'] } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await server.call('PATCH', `/v1/customers/${id}`, { token, body: { tags: ['lead', 'vip'], phones: [{ number: '13900139000' }] }, headers: { 'if-match': '"1"' } })).status).toBe(200);
    expect((await server.call('DELETE', `/v1/customers/${id}`, { token })).status).toBe(204);
    expect((await server.call('POST', `/v1/customers/${id}/restore`, { token })).status).toBe(200);
    await server.drain();

    const events = busEvents().filter((e) => e.subject.id === id);
    expect(events.map((e) => [e.type, e.data.version])).toEqual([['customer.created', 1], ['customer.updated', 2], ['customer.deleted', 3], ['customer.restored', 4]]);
    expect(events.every((e) => e.tenantId === 'events-co')).toBe(true);
    expect(events[0]!.data).toMatchObject({ kind: 'person', name: '王五', tags: ['lead'], createdBy: 'root' });
    expect(events[1]!.data).toMatchObject({ changedFields: ['phones', 'tags'], values: { tags: ['lead', 'vip'] } });
    // Contact details never leave through events.
    expect(JSON.stringify(events)).not.toMatch(/13800138000|13900139000/);
    // Every event satisfies its published contract; ids are unique.
    for (const e of events) expect(eventSchema(EVENT_DEFINITIONS.find((d) => d.type === e.type && d.version === e.version)!).safeParse(e).success).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

    // Draining again publishes nothing new (the consumer's checkpoint moved past these records).
    await server.drain();
    expect(busEvents().filter((e) => e.subject.id === id)).toHaveLength(4);
  });
});
