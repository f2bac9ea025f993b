import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { wechatEncrypt } from '@crm/core';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Inbound channel webhooks against the real local server: per-tenant secrets (shown once), signature
 * checks per provider, replay window, mapping to interactions visible on the timeline.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const now = () => String(Math.floor(Date.now() / 1000));
const sign = (secret: string, timestamp: string, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

async function admin(tenant: string) {
  const token = await server.token(tenant);
  return (method: string, path: string, body?: unknown) => server.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
}

async function post(path: string, body: string, headers: Record<string, string>) {
  return server.call('POST', path, { body, headers });
}

describe('inbound webhooks: web-form and call-center-cdr (HMAC)', () => {
  it('records a signed form submission as a lead with a timeline entry; refuses bad signatures and stale timestamps', async () => {
    const call = await admin('in-form');
    const settings = await call('PUT', '/v1/settings/inbound/web-form', {});
    expect(settings.status).toBe(200);
    expect(settings.headers.get('cache-control')).toBe('no-store');
    const { secret, url } = settings.body;
    expect(url).toBe('/v1/inbound/in-form/web-form');
    expect(secret).toMatch(/^[0-9a-f]{64}$/);

    const body = JSON.stringify({ formId: 'contact', submissionId: 's-1', name: 'Zhou Xun', phone: '13800138011', fields: { message: '请联系我' } });
    const ts = now();
    const ok = await post(url, body, { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': sign(secret, ts, body) });
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ status: 'created', matchedBy: 'lead', clientId: 'web-form:s-1' });
    const timeline = (await call('GET', `/v1/customers/${ok.body.customerId}/timeline`)).body;
    expect(timeline.items).toHaveLength(1);
    expect(timeline.items[0]).toMatchObject({ channel: 'web_form', type: 'submission', payload: { formId: 'contact', fields: { message: '请联系我' } }, createdBy: expect.stringContaining('inbound:web-form') });

    // The same delivery again (within the window) writes nothing twice.
    const again = await post(url, body, { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': sign(secret, ts, body) });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate', id: ok.body.id });

    const other = JSON.stringify({ formId: 'contact', submissionId: 's-2', email: 'x@example.com' });
    const bad = await post(url, other, { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': sign('wrong', ts, other) });
    expect({ status: bad.status, code: bad.body.code }).toEqual({ status: 401, code: 'unauthorized' });
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const stale = String(Number(ts) - 6 * 60);
    const replayed = await post(url, other, { 'content-type': 'application/json', 'x-timestamp': stale, 'x-signature': sign(secret, stale, other) });
    expect({ status: replayed.status, code: replayed.body.code }).toEqual({ status: 401, code: 'unauthorized' });
    // A signature of one body does not cover another.
    expect((await post(url, other, { 'x-timestamp': ts, 'x-signature': sign(secret, ts, body) })).status).toBe(401);
    // Another tenant's secret does not open this tenant's endpoint; a tenant without a secret answers 401 alike.
    const foreign = (await (await admin('in-form-other'))('PUT', '/v1/settings/inbound/web-form', {})).body.secret;
    expect((await post(url, other, { 'x-timestamp': ts, 'x-signature': sign(foreign, ts, other) })).status).toBe(401);
    expect((await post('/v1/inbound/in-nobody/web-form', other, { 'x-timestamp': ts, 'x-signature': sign(secret, ts, other) })).status).toBe(401);
    expect((await post('/v1/inbound/in-form/fax', other, { 'x-timestamp': ts, 'x-signature': sign(secret, ts, other) })).status).toBe(404);

    // Rotating invalidates the old secret.
    const rotated = (await call('PUT', '/v1/settings/inbound/web-form', {})).body.secret;
    expect(rotated).not.toBe(secret);
    const third = JSON.stringify({ formId: 'contact', submissionId: 's-3', phone: '13800138012' });
    expect((await post(url, third, { 'x-timestamp': ts, 'x-signature': sign(secret, ts, third) })).status).toBe(401);
    expect((await post(url, third, { 'x-timestamp': ts, 'x-signature': sign(rotated, ts, third) })).status).toBe(202);
  });

  it('maps a CDR to a phone call of the existing customer; secrets are admin-only', async () => {
    const call = await admin('in-cdr');
    const customer = (await call('POST', '/v1/customers', { kind: 'person', name: 'Lin Feng', phones: [{ number: '13900139000' }] })).body;
    const { secret, url } = (await call('PUT', '/v1/settings/inbound/call-center-cdr', {})).body;
    const body = JSON.stringify({ callId: 'c-77', direction: 'inbound', startedAt: '2026-11-20T02:00:00Z', durationSec: 125, from: '+8613900139000', to: '4008001234', agentId: 'a-9' });
    const ts = now();
    const res = await post(url, body, { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': `sha256=${sign(secret, ts, body)}` });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'created', customerId: customer.id, matchedBy: 'phone' });
    const item = (await call('GET', `/v1/customers/${customer.id}/timeline`)).body.items[0];
    expect(item).toMatchObject({ channel: 'phone_call', type: 'call', payload: { direction: 'inbound', durationSec: 125, agentId: 'a-9', recordingId: 'c-77' } });

    const invalid = JSON.stringify({ callId: 'c-78', direction: 'sideways' });
    expect((await post(url, invalid, { 'x-timestamp': ts, 'x-signature': sign(secret, ts, invalid) })).status).toBe(400);

    const rep = await server.token('in-cdr', { userId: 'rep', roles: ['sales'] });
    expect((await server.call('PUT', '/v1/settings/inbound/web-form', { token: rep, body: {} })).status).toBe(403);
  });
});

describe('inbound webhooks: wechat-work (msg_signature + AES)', () => {
  it('verifies the callback URL, records a signed encrypted message, and refuses a bad signature or a stale timestamp', async () => {
    const call = await admin('in-wx');
    expect((await call('PUT', '/v1/settings/inbound/wechat-work', {})).status).toBe(400);
    const settings = (await call('PUT', '/v1/settings/inbound/wechat-work', { corpId: 'ww1234567890' })).body;
    const { token, encodingAesKey, corpId, url } = settings;
    expect(encodingAesKey).toHaveLength(43);
    const sig = (ts: string, nonce: string, enc: string) => createHash('sha1').update([token, ts, nonce, enc].sort().join('')).digest('hex');

    const ts = now();
    const echostr = wechatEncrypt(encodingAesKey, 'echo-8841', corpId);
    const query = (s: Record<string, string>) => `?${new URLSearchParams(s).toString()}`;
    const verified = await server.call('GET', `${url}${query({ msg_signature: sig(ts, 'n1', echostr), timestamp: ts, nonce: 'n1', echostr })}`);
    expect({ status: verified.status, body: verified.body }).toEqual({ status: 200, body: 'echo-8841' });
    expect((await server.call('GET', `${url}${query({ msg_signature: sig(ts, 'n2', echostr), timestamp: ts, nonce: 'n1', echostr })}`)).status).toBe(401);

    const message = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[wmEXT001]]></FromUserName><CreateTime>1763604000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[想了解价格]]></Content><MsgId>9001</MsgId><AgentID>1000002</AgentID></xml>`;
    const encrypt = wechatEncrypt(encodingAesKey, message, corpId);
    const xml = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
    const ok = await post(`${url}${query({ msg_signature: sig(ts, 'n3', encrypt), timestamp: ts, nonce: 'n3' })}`, xml, { 'content-type': 'text/xml' });
    expect(ok.status).toBe(200);

    const leads = (await call('GET', '/v1/customers?tag=lead')).body.items;
    expect(leads).toHaveLength(1);
    const timeline = (await call('GET', `/v1/customers/${leads[0].id}/timeline`)).body.items;
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toMatchObject({ channel: 'wechat_work', type: 'message', clientId: 'wechat-work:9001', occurredAt: '2025-11-20T02:00:00.000Z', payload: { text: '想了解价格', externalUserId: 'wmEXT001', msgType: 'text', direction: 'inbound' } });

    const tampered = await post(`${url}${query({ msg_signature: sig(ts, 'n3', encrypt), timestamp: ts, nonce: 'n4' })}`, xml, { 'content-type': 'text/xml' });
    expect({ status: tampered.status, code: tampered.body.code }).toEqual({ status: 401, code: 'unauthorized' });
    const stale = String(Number(ts) - 6 * 60);
    const replayed = await post(`${url}${query({ msg_signature: sig(stale, 'n5', encrypt), timestamp: stale, nonce: 'n5' })}`, xml, { 'content-type': 'text/xml' });
    expect({ status: replayed.status, code: replayed.body.code }).toEqual({ status: 401, code: 'unauthorized' });
    // Encrypted for another corp: signature fine, decryption refuses it.
    const foreign = wechatEncrypt(encodingAesKey, message, 'wwOTHER');
    const foreignXml = `<xml><Encrypt><![CDATA[${foreign}]]></Encrypt></xml>`;
    expect((await post(`${url}${query({ msg_signature: sig(ts, 'n6', foreign), timestamp: ts, nonce: 'n6' })}`, foreignXml, { 'content-type': 'text/xml' })).status).toBe(401);
  });
});
