import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const as = (tenant: string, userId?: string, roles?: string[], orgPath?: string) => server.as(tenant, userId, roles, orgPath);

const sms = (text: string, occurredAt: string) => ({ channel: 'sms', type: 'message', occurredAt, payload: { text, direction: 'inbound' } });

describe('POST /v1/interactions', () => {
  it('records one interaction by customer id, answers a retry with the same id as a duplicate, and validates the payload per field', async () => {
    const call = await as('ix-single');
    const customer = (await call('POST', '/v1/customers', { kind: 'person', name: 'Wang Fang' })).body;
    const body = { clientId: 'crm-msg-1', customerId: customer.id, ...sms('你好', '2026-11-20T08:00:00+08:00') };

    const first = await call('POST', '/v1/interactions', body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'created', customerId: customer.id, matchedBy: 'customerId', clientId: 'crm-msg-1' });
    expect(first.body.interaction).toMatchObject({ id: first.body.id, channel: 'sms', type: 'message', occurredAt: '2026-11-20T00:00:00.000Z', payload: { text: '你好', direction: 'inbound' } });

    const retry = await call('POST', '/v1/interactions', body);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ clientId: 'crm-msg-1', status: 'duplicate', id: first.body.id, customerId: customer.id });
    // The Idempotency-Key header stands in for a missing clientId.
    const { clientId: _c, ...withoutClientId } = body;
    const keyed = await call('POST', '/v1/interactions', withoutClientId, { 'idempotency-key': 'retry-42' });
    expect((await call('POST', '/v1/interactions', withoutClientId, { 'idempotency-key': 'retry-42' })).body).toMatchObject({ status: 'duplicate', id: keyed.body.id });
    expect((await call('GET', `/v1/customers/${customer.id}/timeline`)).body.items).toHaveLength(2);

    const bad = await call('POST', '/v1/interactions', { customerId: customer.id, channel: 'pos_purchase', type: 'purchase', occurredAt: '2026-11-20T08:00:00Z', payload: { orderId: 'o1', storeId: 's1', amount: -3, currency: 'rmb', colour: 'red' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.payload.amount', 'body.payload.colour', 'body.payload.currency']);
    const unknownType = await call('POST', '/v1/interactions', { customerId: customer.id, channel: 'sms', type: 'call', occurredAt: '2026-11-20T08:00:00Z', payload: {} });
    expect(unknownType.body.errors).toEqual([{ path: 'body.type', message: 'must be one of message for channel sms' }]);
    expect((await call('POST', '/v1/interactions', { customerId: '01J0000000000000000000000Z', ...sms('x', '2026-11-20T08:00:00Z') })).status).toBe(404);
  });
});

describe('POST /v1/interactions/batch', () => {
  it('writes every good item, reports the bad one, and a retried batch writes nothing twice', async () => {
    const call = await as('ix-batch');
    const a = (await call('POST', '/v1/customers', { kind: 'person', name: 'Li Lei', phones: [{ number: '13800138000' }] })).body;
    const items = [
      { clientId: 'b-1', customerId: a.id, ...sms('one', '2026-11-01T10:00:00Z') },
      { clientId: 'b-2', customerId: a.id, channel: 'phone_call', type: 'call', occurredAt: '2026-11-02T10:00:00Z', payload: { direction: 'outbound', durationSec: 'long' } },
      { clientId: 'b-3', identity: { phone: '+86 138-0013-8000' }, channel: 'pos_purchase', type: 'purchase', occurredAt: '2026-11-03T10:00:00Z', payload: { orderId: 'P-1', storeId: 'SH-01', amount: 299.5, currency: 'CNY', lines: [{ sku: 'A1', quantity: 1, unitPrice: 299.5 }] } },
      'not an object',
    ];
    const first = await call('POST', '/v1/interactions/batch', { items });
    expect(first.status).toBe(200);
    expect(first.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'invalid', 'created', 'invalid']);
    expect(first.body.results[1]).toMatchObject({ index: 1, clientId: 'b-2', code: 'validation_failed', errors: [{ path: 'payload.durationSec' }] });
    expect(first.body.results[2]).toMatchObject({ customerId: a.id, matchedBy: 'phone' });
    expect(first.body.counts).toEqual({ created: 2, duplicate: 0, parked: 0, invalid: 2, failed: 0 });

    const retry = await call('POST', '/v1/interactions/batch', { items: [...items.slice(0, 3), { clientId: 'b-4', customerId: a.id, ...sms('four', '2026-11-04T10:00:00Z') }] });
    expect(retry.body.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'invalid', 'duplicate', 'created']);
    expect(retry.body.results[0].id).toBe(first.body.results[0].id);
    expect(retry.body.results[2].id).toBe(first.body.results[2].id);
    const timeline = await call('GET', `/v1/customers/${a.id}/timeline`);
    expect(timeline.body.items.map((i: { payload: { text?: string; orderId?: string } }) => i.payload.text ?? i.payload.orderId)).toEqual(['four', 'P-1', 'one']);

    // Items without clientId are deduplicated by the request's Idempotency-Key (+ index).
    const keyed = { items: [{ customerId: a.id, ...sms('keyed', '2026-11-05T10:00:00Z') }] };
    expect((await call('POST', '/v1/interactions/batch', keyed, { 'idempotency-key': 'batch-7' })).body.results[0].status).toBe('created');
    expect((await call('POST', '/v1/interactions/batch', keyed, { 'idempotency-key': 'batch-7' })).body.results[0]).toMatchObject({ status: 'duplicate', clientId: 'batch-7#0' });

    // The envelope itself: more than 500 items is a 400.
    const tooMany = await call('POST', '/v1/interactions/batch', { items: Array.from({ length: 501 }, () => items[0]) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].path).toBe('body.items');
  });

  it('creates one lead for an unknown identity (reused by later items), or parks it under the park policy', async () => {
    const call = await as('ix-leads');
    const unknown = (n: number) => ({ clientId: `lead-${n}`, identity: { phone: '139 1234 5678', name: '陈先生' }, ...sms(`hi ${n}`, `2026-11-0${n}T10:00:00Z`) });
    const res = await call('POST', '/v1/interactions/batch', { items: [unknown(1), unknown(2)] });
    expect(res.body.results.map((r: { matchedBy: string }) => r.matchedBy)).toEqual(['lead', 'phone']);
    const leadId = res.body.results[0].customerId;
    expect(res.body.results[1].customerId).toBe(leadId);
    const lead = (await call('GET', `/v1/customers/${leadId}`)).body;
    expect(lead).toMatchObject({ kind: 'person', name: '陈先生', tags: ['lead'], phones: [expect.objectContaining({ e164: '+8613912345678' })] });

    // An external id seen on a lead is linked to it: the next interaction resolves by it alone.
    const wx = { identity: { externalId: { system: 'wechat_work', id: 'wmABC' }, email: 'Neo@Example.com' }, channel: 'wechat_work', type: 'message', occurredAt: '2026-11-09T10:00:00Z', payload: { text: '在吗', direction: 'inbound', externalUserId: 'wmABC' } };
    const byWx = (await call('POST', '/v1/interactions', wx)).body;
    expect(byWx.matchedBy).toBe('lead');
    expect((await call('POST', '/v1/interactions', { ...wx, identity: { externalId: wx.identity.externalId } })).body).toMatchObject({ matchedBy: 'externalId', customerId: byWx.customerId });
    expect((await call('POST', '/v1/interactions', { ...wx, identity: { email: 'neo@example.com' } })).body).toMatchObject({ matchedBy: 'email', customerId: byWx.customerId });

    const settings = await call('GET', '/v1/settings/interactions');
    expect(settings.body).toMatchObject({ unknownIdentity: 'create-lead', version: 0 });
    expect((await call('PUT', '/v1/settings/interactions', { unknownIdentity: 'park' })).status).toBe(428);
    const put = await call('PUT', '/v1/settings/interactions', { unknownIdentity: 'park' }, { 'if-match': settings.headers.get('etag')! });
    expect(put.status).toBe(200);
    const parked = await call('POST', '/v1/interactions', { clientId: 'p-1', identity: { phone: '13700000001' }, ...sms('who?', '2026-11-10T10:00:00Z') });
    expect(parked.status).toBe(202);
    expect(parked.body).toMatchObject({ status: 'parked', clientId: 'p-1' });
    expect(parked.body.customerId).toBeUndefined();
    expect((await call('POST', '/v1/interactions', { clientId: 'p-1', identity: { phone: '13700000001' }, ...sms('who?', '2026-11-10T10:00:00Z') })).body).toMatchObject({ status: 'duplicate', id: parked.body.id });
    // Known identities still land on their customer.
    expect((await call('POST', '/v1/interactions', { identity: { phone: '+8613912345678' }, ...sms('again', '2026-11-11T10:00:00Z') })).body).toMatchObject({ status: 'created', customerId: leadId });
  });
});

describe('GET /v1/customers/{id}/timeline', () => {
  it('merges all channels newest first, filters by channel, type and time, and pages with a cursor', async () => {
    const call = await as('ix-timeline');
    const c = (await call('POST', '/v1/customers', { kind: 'person', name: 'Zhao Min' })).body;
    const other = (await call('POST', '/v1/customers', { kind: 'person', name: 'Other' })).body;
    const at = (d: number) => `2026-10-${String(d).padStart(2, '0')}T09:00:00Z`;
    const items = [
      { customerId: c.id, ...sms('s1', at(1)) },
      { customerId: c.id, channel: 'email', type: 'message', occurredAt: at(2), payload: { text: 'mail', direction: 'outbound', subject: 'Offer' } },
      { customerId: c.id, channel: 'phone_call', type: 'call', occurredAt: at(3), payload: { direction: 'inbound', durationSec: 120 } },
      { customerId: c.id, channel: 'store_visit', type: 'visit', occurredAt: at(4), payload: { storeId: 'BJ-2' } },
      { customerId: c.id, channel: 'pos_purchase', type: 'purchase', occurredAt: at(5), payload: { orderId: 'X', storeId: 'BJ-2', amount: 10, currency: 'CNY' } },
      { customerId: c.id, ...sms('s2', at(6)) },
      { customerId: other.id, ...sms('not mine', at(7)) },
    ];
    expect((await call('POST', '/v1/interactions/batch', { items })).body.counts.created).toBe(7);

    const all = await call('GET', `/v1/customers/${c.id}/timeline`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { channel: string }) => i.channel)).toEqual(['sms', 'pos_purchase', 'store_visit', 'phone_call', 'email', 'sms']);
    expect(all.body.next).toBeNull();
    expect(Object.keys(all.body.items[0]).sort()).toEqual(['channel', 'createdAt', 'createdBy', 'customerId', 'id', 'occurredAt', 'payload', 'type']);

    const paged: string[] = [];
    let next: string | null = null;
    do {
      const page: { body: { items: Array<{ occurredAt: string }>; next: string | null } } = await call('GET', `/v1/customers/${c.id}/timeline?limit=4${next ? `&after=${next}` : ''}`);
      paged.push(...page.body.items.map((i) => i.occurredAt));
      next = page.body.next;
    } while (next);
    expect(paged).toEqual([6, 5, 4, 3, 2, 1].map((d) => new Date(at(d)).toISOString()));

    const smsOnly = await call('GET', `/v1/customers/${c.id}/timeline?channel=sms&limit=1`);
    expect(smsOnly.body.items.map((i: { payload: { text: string } }) => i.payload.text)).toEqual(['s2']);
    const smsNext = await call('GET', `/v1/customers/${c.id}/timeline?channel=sms&limit=1&after=${smsOnly.body.next}`);
    expect(smsNext.body.items.map((i: { payload: { text: string } }) => i.payload.text)).toEqual(['s1']);
    expect((await call('GET', `/v1/customers/${c.id}/timeline?type=call`)).body.items.map((i: { channel: string }) => i.channel)).toEqual(['phone_call']);
    const range = await call('GET', `/v1/customers/${c.id}/timeline?from=${at(2)}&to=${at(4)}`);
    expect(range.body.items.map((i: { channel: string }) => i.channel)).toEqual(['store_visit', 'phone_call', 'email']);

    // A cursor is bound to its query.
    expect((await call('GET', `/v1/customers/${c.id}/timeline?channel=email&after=${smsOnly.body.next}`)).status).toBe(400);
    expect((await call('GET', `/v1/customers/${other.id}/timeline?channel=sms&after=${smsOnly.body.next}`)).status).toBe(400);
  });

  it('respects field masks and data scope; another tenant gets 404', async () => {
    const admin = await as('ix-masks');
    const c = (await admin('POST', '/v1/customers', { kind: 'person', name: 'Masked', ownerId: 'someone-else', orgPath: '/' })).body;
    await admin('POST', '/v1/interactions', { customerId: c.id, channel: 'phone_call', type: 'call', occurredAt: '2026-11-01T00:00:00Z', payload: { direction: 'inbound', durationSec: 5, recordingUrl: 'https://rec.example.cn/1.mp3' } });
    const role = (await admin('GET', '/v1/roles')).body.items.find((r: { name: string }) => r.name === 'service');
    const put = await admin('PUT', '/v1/roles/service', {
      permissions: role.permissions, dataScope: 'subtree', fields: { ...role.fields, interactions: { createdBy: 'hidden', 'payload.recordingUrl': 'hidden' } },
    }, { 'if-match': '"0"' });
    expect(put.status).toBe(200);
    const service = await as('ix-masks', 'svc-1', ['service'], '/');
    const outside = await as('ix-masks', 'svc-2', ['service'], '/east');
    const seen = (await service('GET', `/v1/customers/${c.id}/timeline`)).body.items[0];
    expect(seen.createdBy).toBeUndefined();
    expect(seen.payload).toEqual({ direction: 'inbound', durationSec: 5, outcome: 'answered' });
    // Ingestion still accepts the field (integrations send what they have); the answer masks it too.
    const own = await service('POST', '/v1/interactions', { customerId: c.id, channel: 'phone_call', type: 'call', occurredAt: '2026-11-02T00:00:00Z', payload: { direction: 'outbound', durationSec: 1, recordingUrl: 'https://rec.example.cn/2.mp3' } });
    expect(own.status).toBe(201);
    expect(own.body.interaction.payload).toEqual({ direction: 'outbound', durationSec: 1, outcome: 'answered' });
    expect((await admin('GET', `/v1/customers/${c.id}/timeline`)).body.items[0].payload.recordingUrl).toBe('https://rec.example.cn/2.mp3');

    // Data scope: a service user of another unit does not see the customer nor its timeline.
    expect((await outside('GET', `/v1/customers/${c.id}/timeline`)).status).toBe(404);
    const stranger = await as('ix-masks-other');
    expect((await stranger('GET', `/v1/customers/${c.id}/timeline`)).status).toBe(404);
    expect((await stranger('POST', '/v1/interactions', { customerId: c.id, ...sms('x', '2026-11-01T00:00:00Z') })).status).toBe(404);
  });
});
