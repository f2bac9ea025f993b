import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const sms = (text: string, occurredAt: string) => ({ channel: 'sms', type: 'message', occurredAt, payload: { text, direction: 'inbound' } });

describe('parked interactions over HTTP', () => {
  it('parks an unknown phone, lists it, assigns it into the timeline, answers retries as duplicates, and hides it from other tenants', async () => {
    const call = await server.as('ix-parked');
    const other = await server.as('ix-parked-other');
    expect((await call('PUT', '/v1/settings/interactions', { unknownIdentity: 'park' }, { 'if-match': '"0"' })).status).toBe(200);
    const customer = (await call('POST', '/v1/customers', { kind: 'person', name: 'Li Lei' })).body;
    const body = { clientId: 'sms-77', identity: { phone: '13700000077' }, ...sms('call me back', '2026-11-20T08:00:00Z') };

    const parked = await call('POST', '/v1/interactions', body);
    expect(parked.status).toBe(202);
    expect(parked.body).toMatchObject({ status: 'parked', clientId: 'sms-77' });
    const listed = await call('GET', '/v1/interactions/parked?limit=10');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ items: [expect.objectContaining({ id: parked.body.id, identity: { phone: '13700000077' }, payload: { text: 'call me back', direction: 'inbound' } })], next: null });
    expect((await other('GET', '/v1/interactions/parked')).body.items).toEqual([]);
    expect((await other('POST', `/v1/interactions/parked/${parked.body.id}/assign`, { customerId: customer.id })).status).toBe(404);
    expect((await other('DELETE', `/v1/interactions/parked/${parked.body.id}`)).status).toBe(404);

    expect((await call('POST', `/v1/interactions/parked/${parked.body.id}/assign`, {})).status).toBe(400);
    const assigned = await call('POST', `/v1/interactions/parked/${parked.body.id}/assign`, { customerId: customer.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ id: parked.body.id, customerId: customer.id, channel: 'sms', occurredAt: '2026-11-20T08:00:00.000Z' });
    expect((await call('GET', `/v1/customers/${customer.id}/timeline`)).body.items).toEqual([assigned.body]);
    expect((await call('GET', '/v1/interactions/parked')).body.items).toEqual([]);
    const retry = await call('POST', '/v1/interactions', body);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ clientId: 'sms-77', status: 'duplicate', id: parked.body.id, customerId: customer.id });
    expect((await call('POST', `/v1/interactions/parked/${parked.body.id}/assign`, { customerId: customer.id })).status).toBe(404);

    const spam = (await call('POST', '/v1/interactions', { identity: { phone: '13700000078' }, ...sms('win a prize', '2026-11-21T08:00:00Z') })).body;
    expect((await call('DELETE', `/v1/interactions/parked/${spam.id}`)).status).toBe(204);
    expect((await call('DELETE', `/v1/interactions/parked/${spam.id}`)).status).toBe(404);
    // A sales rep may read and assign but not discard.
    const rep = await server.as('ix-parked', 'rep', ['sales']);
    expect((await rep('DELETE', `/v1/interactions/parked/${spam.id}`)).status).toBe(403);
  });
});
