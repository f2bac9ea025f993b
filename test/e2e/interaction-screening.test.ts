import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('sensitive-word interception on ingestion', () => {
  it('blocks (nothing stored, audited), masks and flags per list, on single and batch writes', async () => {
    const token = await server.token('screen-co', { userId: 'root', roles: ['admin'] });
    const call = (method: string, path: string, body?: unknown) => server.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
    expect((await call('PUT', '/v1/compliance/word-lists/returns', { words: ['稳赚不赔'], action: 'block' })).status).toBe(200);
    expect((await call('PUT', '/v1/compliance/word-lists/privacy', { words: ['身份证'], action: 'mask' })).status).toBe(200);
    expect((await call('PUT', '/v1/compliance/word-lists/review', { words: ['refund'], action: 'flag' })).status).toBe(200);
    const customer = (await call('POST', '/v1/customers', { kind: 'person', name: 'Wu' })).body;
    const sms = (text: string, clientId: string) => ({ clientId, customerId: customer.id, channel: 'sms', type: 'message', occurredAt: '2026-11-25T10:00:00.000Z', payload: { text, direction: 'inbound' } });

    const blocked = await call('POST', '/v1/interactions', sms('这个产品穩賺不賠', 'c1'));
    expect([blocked.status, blocked.body.code]).toEqual([422, 'content_blocked']);
    const masked = await call('POST', '/v1/interactions', sms('我的身份证号是…', 'c2'));
    expect(masked.status).toBe(201);
    const batch = await call('POST', '/v1/interactions/batch', { items: [sms('I want a refund', 'c3'), sms('稳赚不赔!', 'c4'), sms('hello', 'c5')] });
    expect(batch.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'invalid', 'created']);

    const timeline = (await call('GET', `/v1/customers/${customer.id}/timeline`)).body.items;
    const texts = timeline.map((i: { payload: { text: string } }) => i.payload.text).sort();
    expect(texts).toEqual(['I want a refund', 'hello', '我的***号是…']);
    const flagged = timeline.find((i: { payload: { text: string } }) => i.payload.text === 'I want a refund');
    expect(flagged).toMatchObject({ flagged: true, flaggedRules: [{ field: 'text', list: 'review', word: 'refund' }] });

    // Every hit is audited: the two blocks (denied) and the mask and flag hits.
    const audit = (await call('GET', '/v1/audit?limit=100')).body.items.filter((e: { action: string }) => e.action.startsWith('compliance:'));
    expect(audit.length).toBeGreaterThanOrEqual(4);
  });
});
