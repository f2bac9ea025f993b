import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '@crm/core';
import { startTestServer, type TestCaller, type TestServer } from '../support/test-server';

let server: TestServer;
let admin: TestCaller;
beforeAll(async () => {
  server = await startTestServer();
  admin = await server.as('orders-co');
});
afterAll(() => server?.stop());

const busEvents = (): DomainEvent[] =>
  readFileSync(join(server.dataDir, 'events', 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as DomainEvent);
const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((o) => o.id);

describe('orders API', () => {
  it('records orders idempotently per externalId, lists them by customer and date, changes status with If-Match and keeps order stats', async () => {
    const c = (await admin('POST', '/v1/customers', { kind: 'person', name: '赵六' })).body;
    const body = { customerId: c.id, amount: 199.9, currency: 'CNY', status: 'paid', orderedAt: '2026-11-01T10:00:00+08:00', externalId: 'SHOP-1001', source: 'ecommerce', lines: [{ sku: 'SKU-9', name: '围巾', quantity: 1, unitPrice: 199.9 }] };
    const created = await admin('POST', '/v1/orders', body);
    expect([created.status, created.headers.get('etag'), created.headers.get('location')]).toEqual([201, '"1"', `/v1/orders/${created.body.id}`]);
    expect(created.body).toMatchObject({ customerId: c.id, orderedAt: '2026-11-01T02:00:00.000Z', status: 'paid', version: 1 });
    const replay = await admin('POST', '/v1/orders', body);
    expect([replay.status, replay.headers.get('idempotent-replayed'), replay.body]).toEqual([200, 'true', created.body]);
    const clash = await admin('POST', '/v1/orders', { ...body, amount: 1 });
    expect([clash.status, clash.body.code]).toEqual([409, 'conflict']);
    const invalid = await admin('POST', '/v1/orders', { ...body, externalId: 'X', amount: 1.001, currency: 'cny' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.amount', 'body.currency']);

    const later = (await admin('POST', '/v1/orders', { customerId: c.id, amount: 50, currency: 'CNY', status: 'paid', orderedAt: '2026-11-10T00:00:00Z' })).body;
    expect(ids(await admin('GET', `/v1/orders?customerId=${c.id}`))).toEqual([later.id, created.body.id]);
    expect(ids(await admin('GET', `/v1/orders?customerId=${c.id}&from=2026-11-05T00:00:00Z&to=2026-11-30T00:00:00Z`))).toEqual([later.id]);
    expect(ids(await admin('GET', '/v1/orders?sort=asc'))).toEqual([created.body.id, later.id]);
    expect((await admin('GET', '/v1/orders?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z')).status).toBe(400);

    const path = `/v1/orders/${created.body.id}`;
    expect((await admin('PATCH', path, { status: 'refunded' })).status).toBe(428);
    expect((await admin('PATCH', path, { status: 'refunded' }, { 'if-match': '"9"' })).status).toBe(412);
    const refunded = await admin('PATCH', path, { status: 'refunded', reason: '质量问题' }, { 'if-match': '"1"' });
    expect([refunded.status, refunded.headers.get('etag'), refunded.body.status]).toEqual([200, '"2"', 'refunded']);
    const again = await admin('PATCH', path, { status: 'cancelled' }, { 'if-match': '"2"' });
    expect([again.status, again.body.code]).toEqual([409, 'conflict']);
    expect((await admin('GET', path)).body).toEqual(refunded.body);
    expect(ids(await admin('GET', '/v1/orders?status=refunded'))).toEqual([created.body.id]);

    const stats = await admin('GET', `/v1/customers/${c.id}/order-stats`);
    expect([stats.status, stats.body.currencies]).toEqual([200, {
      CNY: { paidCount: 2, paidAmount: 249.9, refundedCount: 1, refundedAmount: 199.9, cancelledCount: 0, firstOrderAt: '2026-11-01T02:00:00.000Z', lastOrderAt: '2026-11-10T00:00:00.000Z' },
    }]);

    const audit = await admin('GET', `/v1/audit?resource=order&resourceId=${created.body.id}`);
    expect(audit.body.items.map((a: { action: string }) => a.action).sort()).toEqual(['orders:create', 'orders:update']);

    await server.drain();
    const events = busEvents().filter((e) => e.subject.type === 'order' && e.subject.id === created.body.id);
    expect(events.map((e) => e.type)).toEqual(['order.recorded', 'order.status-changed']);
    expect(events[0]!.data).toEqual({ orderId: created.body.id, customerId: c.id, amount: 199.9, currency: 'CNY', status: 'paid', orderedAt: '2026-11-01T02:00:00.000Z', source: 'ecommerce' });
    expect(events[1]!.data).toMatchObject({ from: 'paid', to: 'refunded' });
  });

  it('turns a POS purchase sent to POST /v1/interactions into an order, and its refund into a status change, through the change feed', async () => {
    const c = (await admin('POST', '/v1/customers', { kind: 'person', name: '孙七', phones: [{ number: '13800001111' }] })).body;
    const ix = await admin('POST', '/v1/interactions', {
      identity: { phone: '13800001111' }, channel: 'pos_purchase', type: 'purchase', occurredAt: '2026-11-20T06:30:00Z',
      payload: { orderId: 'R-77', storeId: 'SH-01', amount: 320, currency: 'CNY', lines: [{ sku: 'J-1', quantity: 2, unitPrice: 160 }], paymentMethod: 'wechat_pay' },
    });
    expect([ix.status, ix.body.customerId]).toEqual([201, c.id]);
    // The ingestion path is untouched: the order comes from the change feed.
    await server.drain();
    const orders = (await admin('GET', `/v1/orders?customerId=${c.id}`)).body.items;
    expect(orders).toEqual([expect.objectContaining({
      customerId: c.id, amount: 320, currency: 'CNY', status: 'paid', source: 'pos', orderedAt: '2026-11-20T06:30:00.000Z',
      externalId: `interaction:${ix.body.id}`, interactionId: ix.body.id, lines: [{ sku: 'J-1', quantity: 2, unitPrice: 160 }],
    })]);
    expect((await admin('GET', `/v1/customers/${c.id}/order-stats`)).body.currencies.CNY).toMatchObject({ paidCount: 1, paidAmount: 320 });
    await server.drain();
    expect(busEvents().filter((e) => e.type === 'order.recorded' && e.subject.id === orders[0].id)).toEqual([
      expect.objectContaining({ tenantId: 'orders-co', data: expect.objectContaining({ source: 'pos', amount: 320, customerId: c.id }) }),
    ]);
    // Draining again records nothing twice.
    expect((await admin('GET', `/v1/orders?customerId=${c.id}`)).body.items).toHaveLength(1);

    // The store's refund of the same receipt moves that order.
    const refund = await admin('POST', '/v1/interactions', {
      customerId: c.id, channel: 'pos_purchase', type: 'refund', occurredAt: '2026-11-21T06:30:00Z', payload: { orderId: 'R-77', storeId: 'SH-01', amount: 320, currency: 'CNY' },
    });
    expect(refund.status).toBe(201);
    await server.drain();
    expect((await admin('GET', `/v1/orders/${orders[0].id}`)).body).toMatchObject({ status: 'refunded', version: 2 });
    expect((await admin('GET', `/v1/customers/${c.id}/order-stats`)).body.currencies.CNY).toMatchObject({ paidCount: 1, refundedAmount: 320 });
    await server.drain();
    expect(busEvents().filter((e) => e.subject.id === orders[0].id).map((e) => e.type)).toEqual(['order.recorded', 'order.status-changed']);
  });

  it('obeys the role matrix and the orders field rules', async () => {
    const c = (await admin('POST', '/v1/customers', { kind: 'company', name: 'Field Rules Ltd' })).body;
    const o = (await admin('POST', '/v1/orders', { customerId: c.id, amount: 10, currency: 'EUR', status: 'paid', orderedAt: '2026-11-01T00:00:00Z' })).body;
    const service = await server.as('orders-co', 'svc', ['service']);
    expect((await service('GET', `/v1/orders/${o.id}`)).status).toBe(403);
    const role = await admin('PUT', '/v1/roles/order-viewer', { permissions: ['orders:read', 'customers:read'], dataScope: 'tenant', fields: { orders: { amount: 'hidden' } } });
    expect(role.status).toBe(200);
    const viewer = await server.as('orders-co', 'viewer', ['order-viewer']);
    const seen = await viewer('GET', `/v1/orders/${o.id}`);
    expect([seen.status, seen.body.amount, seen.body.currency]).toEqual([200, undefined, 'EUR']);
    expect((await viewer('GET', `/v1/orders?customerId=${c.id}`)).body.items[0].amount).toBeUndefined();
    expect((await viewer('GET', `/v1/customers/${c.id}/order-stats`)).body.currencies.EUR).toEqual({ paidCount: 1, refundedCount: 0, cancelledCount: 0, firstOrderAt: '2026-11-01T00:00:00.000Z', lastOrderAt: '2026-11-01T00:00:00.000Z' });
    expect((await viewer('POST', '/v1/orders', { customerId: c.id, amount: 1, currency: 'EUR', status: 'paid', orderedAt: '2026-11-01T00:00:00Z' })).status).toBe(403);
  });
});
