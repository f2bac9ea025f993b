import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  auditKeys, changeOrderStatus, createCustomer, CreateCustomerInput, createOrder, CreateOrderInput, getOrder, getOrderStats, InteractionInput,
  listOrders, ListOrdersQuery, mergeCustomers, MergeCustomersInput, orderKeys, recordInteraction, recordOrderFromInteraction, UpdateOrderInput,
  type CustomerDeps, type SecuredContext,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext as ctx, errorCode, fixedClock, stores, testEncryptor } from '../support/use-case-harness';

// Order use cases against both real stores (in-memory SQLite, DynamoDB Local): no mocks.
let deps: CustomerDeps;
const customer = async (o: Record<string, unknown> = {}, c: SecuredContext = ctx()) => (await createCustomer(deps, c, CreateCustomerInput.parse({ kind: 'person', name: 'Li Na', ...o }))).customer;
const order = (o: Record<string, unknown>) => CreateOrderInput.parse({ amount: 100, currency: 'CNY', status: 'paid', orderedAt: '2026-11-01T08:00:00+08:00', ...o });
const list = (q: Record<string, unknown>, c: SecuredContext = ctx()) => listOrders(deps, c, ListOrdersQuery.parse(q));
const auditOf = async (id: string) => (await deps.store.query({ partition: auditKeys.dayPartition('acme', '2026-11-25'), limit: 500 })).items.filter((a) => a.resourceId === id);
/** Records an interaction for the customer and answers its stored timeline item (what the change feed delivers). */
const ixOf = (customerId: string) => async (o: Record<string, unknown>) => {
  const res = await recordInteraction(deps, ctx(), InteractionInput.parse({ customerId, occurredAt: '2026-11-05T10:00:00Z', ...o }));
  const page = await deps.store.query({ partition: `T#acme#C#${customerId}`, sortKey: { beginsWith: 'TL#' }, limit: 100 });
  return page.items.find((i) => i.id === res.id)!;
};
/** A caller who only sees its own customers. */
const ownScope = (subject: string): SecuredContext => {
  const principal = { tenantId: 'acme', kind: 'user' as const, subject, roles: ['sales'], scopes: [] };
  return { principal, requestId: 'req-2', access: { principal, permissions: ['*:*'], dataScope: 'own', fields: {}, shares: new Set() } };
};

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('order use cases on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]();
  });
  beforeEach(async () => {
    deps = { store: await stores[adapter](), clock: fixedClock, ids: ulidGenerator(), encryptor: testEncryptor };
  });

  it('records an order with its external-id claim, stats and audit entry in one write; a re-post is idempotent and different content a 409', async () => {
    const c = await customer();
    const input = order({ customerId: c.id, externalId: 'POS#0001', source: 'pos', lines: [{ sku: 'A-1', quantity: 2, unitPrice: 50 }] });
    const first = await createOrder(deps, ctx(), input);
    expect(first).toMatchObject({ created: true, order: { customerId: c.id, amount: 100, currency: 'CNY', status: 'paid', orderedAt: '2026-11-01T00:00:00.000Z', source: 'pos', externalId: 'POS#0001', version: 1, createdBy: 'alice' } });
    expect(await deps.store.get(orderKeys.externalId('acme', 'pos', 'POS#0001'))).toMatchObject({ orderId: first.order.id });
    expect(await auditOf(first.order.id)).toEqual([expect.objectContaining({ action: 'orders:create', resource: 'order', outcome: 'success' })]);

    const again = await createOrder(deps, ctx(), input);
    expect(again).toEqual({ created: false, order: first.order });
    // Concurrent re-posts: still one order.
    const [a, b] = await Promise.all([createOrder(deps, ctx(), input), createOrder(deps, ctx(), input)]);
    expect([a.order.id, b.order.id]).toEqual([first.order.id, first.order.id]);
    expect(await errorCode(createOrder(deps, ctx(), { ...input, amount: 101 }))).toBe('conflict');
    expect(await errorCode(createOrder(deps, ctx(), { ...input, externalId: 'interaction:01JX' }))).toBe('validation_failed');
    // The same number from another source is another order.
    expect((await createOrder(deps, ctx(), { ...input, source: 'ecommerce' })).created).toBe(true);
    expect((await getOrderStats(deps, ctx(), c.id)).currencies.CNY).toMatchObject({ paidCount: 2, paidAmount: 200 });
    expect(await auditOf(first.order.id)).toHaveLength(1);
  });

  it('keeps stats per currency and moves them with refunds and cancellations (If-Match, audited, final states)', async () => {
    const c = await customer();
    const cny = (await createOrder(deps, ctx(), order({ customerId: c.id, amount: 99.99, orderedAt: '2026-10-01T00:00:00Z' }))).order;
    const cny2 = (await createOrder(deps, ctx(), order({ customerId: c.id, amount: 0.01, orderedAt: '2026-11-20T00:00:00Z' }))).order;
    await createOrder(deps, ctx(), order({ customerId: c.id, amount: 20, currency: 'USD', orderedAt: '2026-09-01T00:00:00Z' }));
    await createOrder(deps, ctx(), order({ customerId: c.id, amount: 5, currency: 'USD', status: 'cancelled', orderedAt: '2026-12-01T00:00:00Z' }));
    expect((await getOrderStats(deps, ctx(), c.id)).currencies).toEqual({
      CNY: { paidCount: 2, paidAmount: 100, refundedCount: 0, refundedAmount: 0, cancelledCount: 0, firstOrderAt: '2026-10-01T00:00:00.000Z', lastOrderAt: '2026-11-20T00:00:00.000Z' },
      USD: { paidCount: 1, paidAmount: 20, refundedCount: 0, refundedAmount: 0, cancelledCount: 1, firstOrderAt: '2026-09-01T00:00:00.000Z', lastOrderAt: '2026-09-01T00:00:00.000Z' },
    });

    const refund = UpdateOrderInput.parse({ status: 'refunded', reason: 'damaged' });
    expect(await errorCode(changeOrderStatus(deps, ctx(), cny.id, refund, undefined))).toBe('precondition_required');
    expect(await errorCode(changeOrderStatus(deps, ctx(), cny.id, refund, '"7"'))).toBe('precondition_failed');
    const refunded = await changeOrderStatus(deps, ctx(), cny.id, refund, '"1"');
    expect(refunded).toMatchObject({ status: 'refunded', version: 2, statusChangedAt: '2026-11-25T10:00:00.000Z' });
    expect(await getOrder(deps, ctx(), cny.id)).toEqual(refunded);
    expect(await errorCode(changeOrderStatus(deps, ctx(), cny.id, UpdateOrderInput.parse({ status: 'cancelled' }), '"2"'))).toBe('conflict');
    await changeOrderStatus(deps, ctx(), cny2.id, UpdateOrderInput.parse({ status: 'cancelled' }), '"1"');

    const stats = await getOrderStats(deps, ctx(), c.id);
    expect(stats.currencies.CNY).toMatchObject({ paidCount: 1, paidAmount: 99.99, refundedCount: 1, refundedAmount: 99.99, cancelledCount: 1 });
    expect(stats.version).toBe(6);
    const audit = await auditOf(cny.id);
    expect(audit.map((a) => a.action).sort()).toEqual(['orders:create', 'orders:update']);
    expect(audit.find((a) => a.action === 'orders:update')).toMatchObject({
      detail: { reason: 'damaged' }, changes: expect.arrayContaining([{ field: 'status', before: 'paid', after: 'refunded' }]),
    });
  });

  it('keeps every concurrent order of one customer in the stats (version-checked read-modify-write, retried)', async () => {
    const c = await customer();
    await Promise.all(Array.from({ length: 6 }, (_, i) => createOrder(deps, ctx(), order({ customerId: c.id, amount: 10 + i }))));
    expect((await getOrderStats(deps, ctx(), c.id)).currencies.CNY).toMatchObject({ paidCount: 6, paidAmount: 75 });
  });

  it('lands an order for a merged customer on the survivor, whose orders and stats the merged id answers with', async () => {
    const survivor = await customer({ name: 'Zhou Jie' });
    const merged = await customer({ name: 'Zhou J.' });
    await mergeCustomers(deps, ctx(), MergeCustomersInput.parse({ survivorId: survivor.id, mergeIds: [merged.id] }));
    const { order: o } = await createOrder(deps, ctx(), order({ customerId: merged.id, externalId: 'E-9' }));
    expect(o.customerId).toBe(survivor.id);
    // A retry naming the merged id is the same request.
    expect((await createOrder(deps, ctx(), order({ customerId: merged.id, externalId: 'E-9' }))).created).toBe(false);
    expect((await list({ customerId: merged.id })).items.map((i) => i.id)).toEqual([o.id]);
    expect((await getOrderStats(deps, ctx(), merged.id))).toMatchObject({ customerId: survivor.id, currencies: { CNY: { paidCount: 1 } } });
  });

  it('lists a customer\'s orders and the tenant\'s by orderedAt with range, status, sort and cursor', async () => {
    const a = await customer({ name: 'A' });
    const b = await customer({ name: 'B' });
    const ids: string[] = [];
    for (const [cust, at] of [[a, '2026-11-01T00:00:00Z'], [b, '2026-11-02T00:00:00Z'], [a, '2026-11-03T00:00:00Z'], [a, '2026-11-04T00:00:00Z']] as const) {
      ids.push((await createOrder(deps, ctx(), order({ customerId: cust.id, orderedAt: at }))).order.id);
    }
    await changeOrderStatus(deps, ctx(), ids[2]!, UpdateOrderInput.parse({ status: 'refunded' }), '"1"');

    expect((await list({ customerId: a.id })).items.map((o) => o.id)).toEqual([ids[3], ids[2], ids[0]]);
    expect((await list({ customerId: a.id, from: '2026-11-03T00:00:00Z', to: '2026-11-04T00:00:00Z', sort: 'asc' })).items.map((o) => o.id)).toEqual([ids[2], ids[3]]);
    expect((await list({ customerId: a.id, to: '2026-11-03T00:00:00Z' })).items.map((o) => o.id)).toEqual([ids[2], ids[0]]);
    expect((await list({ customerId: a.id, status: 'refunded' })).items.map((o) => o.id)).toEqual([ids[2]]);
    expect((await list({ sort: 'asc', from: '2026-11-02T00:00:00Z' })).items.map((o) => o.id)).toEqual([ids[1], ids[2], ids[3]]);

    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await list({ limit: 3, ...(after ? { after } : {}) });
      seen.push(...page.items.map((o) => o.id));
      after = page.next ?? undefined;
    } while (after);
    expect(seen).toEqual([...ids].reverse());
    const page1 = await list({ limit: 1 });
    expect(await errorCode(list({ limit: 1, status: 'paid', after: page1.next! }))).toBe('invalid_cursor');
    expect(await errorCode(list({ customerId: a.id, after: page1.next! }))).toBe('invalid_cursor');
  });

  it('shows orders only to callers who see their customer (404 by id, filtered tenant list)', async () => {
    const mine = await customer({ name: 'Mine', ownerId: 'bob' });
    const theirs = await customer({ name: 'Theirs', ownerId: 'carol' });
    const o1 = (await createOrder(deps, ctx(), order({ customerId: mine.id }))).order;
    const o2 = (await createOrder(deps, ctx(), order({ customerId: theirs.id }))).order;
    const bob = ownScope('bob');
    expect((await getOrder(deps, bob, o1.id)).id).toBe(o1.id);
    expect(await errorCode(getOrder(deps, bob, o2.id))).toBe('not_found');
    expect(await errorCode(changeOrderStatus(deps, bob, o2.id, UpdateOrderInput.parse({ status: 'refunded' }), '"1"'))).toBe('not_found');
    expect(await errorCode(createOrder(deps, bob, order({ customerId: theirs.id })))).toBe('not_found');
    expect(await errorCode(getOrderStats(deps, bob, theirs.id))).toBe('not_found');
    expect((await list({}, bob)).items.map((o) => o.id)).toEqual([o1.id]);
    expect((await list({}, ctx())).items.map((o) => o.id).sort()).toEqual([o1.id, o2.id].sort());
    expect(await errorCode(getOrder(deps, ctx('other-tenant'), o1.id))).toBe('not_found');
  });

  it('makes a POS purchase and a paid e-commerce order interaction an order once, and nothing else', async () => {
    const c = await customer();
    const ix = ixOf(c.id);
    const pos = await ix({ channel: 'pos_purchase', type: 'purchase', payload: { orderId: 'R-1', storeId: 'S-1', amount: 88.8, currency: 'CNY', lines: [{ sku: 'T-1', quantity: 1, unitPrice: 88.8 }] } });
    const paid = await ix({ channel: 'ecommerce_order', type: 'order', payload: { orderId: 'TM-1', platform: 'tmall', status: 'paid', amount: 10, currency: 'USD' } });
    const paidAgain = await ix({ channel: 'ecommerce_order', type: 'order', payload: { orderId: 'TM-1', platform: 'tmall', status: 'paid', amount: 10, currency: 'USD' } });
    const shipped = await ix({ channel: 'ecommerce_order', type: 'order', payload: { orderId: 'TM-1', platform: 'tmall', status: 'shipped', amount: 10, currency: 'USD' } });
    const sms = await ix({ channel: 'sms', type: 'message', payload: { text: 'hi', direction: 'inbound' } });

    expect(await recordOrderFromInteraction(deps, pos)).toBe('recorded');
    expect(await recordOrderFromInteraction(deps, pos)).toBe('duplicate');
    expect(await recordOrderFromInteraction(deps, paid)).toBe('recorded');
    // A second paid event of the same shop order (another interaction) is the same sale.
    expect(await recordOrderFromInteraction(deps, paidAgain)).toBe('duplicate');
    for (const other of [shipped, sms]) expect(await recordOrderFromInteraction(deps, other)).toBe('skipped');
    // A copy moved by a merge is not a new purchase.
    expect(await recordOrderFromInteraction(deps, { ...pos, id: 'other', movedByMerge: 'm1' })).toBe('skipped');

    const orders = (await list({ customerId: c.id, sort: 'asc' })).items;
    expect(orders).toEqual([
      expect.objectContaining({ source: 'pos', externalId: `interaction:${String(pos.id)}`, interactionId: pos.id, amount: 88.8, currency: 'CNY', status: 'paid', orderedAt: '2026-11-05T10:00:00.000Z', lines: [{ sku: 'T-1', quantity: 1, unitPrice: 88.8 }], createdBy: 'client:system:orders-from-interactions' }),
      expect.objectContaining({ source: 'ecommerce', externalId: `interaction:${String(paid.id)}`, amount: 10, currency: 'USD' }),
    ]);
    expect((await getOrderStats(deps, ctx(), c.id)).currencies).toMatchObject({ CNY: { paidCount: 1, paidAmount: 88.8 }, USD: { paidCount: 1, paidAmount: 10 } });
  });

  it('moves the shop order\'s order on a full POS refund or an e-commerce cancellation, once; partial refunds change nothing', async () => {
    const c = await customer();
    const ix = ixOf(c.id);
    const pos = await ix({ channel: 'pos_purchase', type: 'purchase', payload: { orderId: 'R-2', storeId: 'S-1', amount: 60, currency: 'CNY' } });
    const shop = await ix({ channel: 'ecommerce_order', type: 'order', payload: { orderId: 'JD-7', platform: 'jd', shopId: 'jd-shop', status: 'paid', amount: 30, currency: 'CNY' } });
    const partial = await ix({ channel: 'pos_purchase', type: 'refund', payload: { orderId: 'R-2', storeId: 'S-1', amount: 20, currency: 'CNY' } });
    const otherStore = await ix({ channel: 'pos_purchase', type: 'refund', payload: { orderId: 'R-2', storeId: 'S-9', amount: 60, currency: 'CNY' } });
    const full = await ix({ channel: 'pos_purchase', type: 'refund', payload: { orderId: 'R-2', storeId: 'S-1', amount: 60, currency: 'CNY', reason: 'size' } });
    const cancelled = await ix({ channel: 'ecommerce_order', type: 'order', payload: { orderId: 'JD-7', platform: 'jd', shopId: 'jd-shop', status: 'cancelled', amount: 30, currency: 'CNY' } });
    // A reversal before its purchase was recorded finds nothing (yet).
    expect(await recordOrderFromInteraction(deps, full)).toBe('skipped');
    expect(await recordOrderFromInteraction(deps, pos)).toBe('recorded');
    expect(await recordOrderFromInteraction(deps, shop)).toBe('recorded');
    expect(await recordOrderFromInteraction(deps, partial)).toBe('skipped');
    expect(await recordOrderFromInteraction(deps, otherStore)).toBe('skipped');
    expect(await recordOrderFromInteraction(deps, full)).toBe('status-changed');
    expect(await recordOrderFromInteraction(deps, full)).toBe('skipped');
    expect(await recordOrderFromInteraction(deps, cancelled)).toBe('status-changed');

    const orders = (await list({ customerId: c.id, sort: 'asc' })).items;
    expect(orders.map((o) => [o.source, o.status, o.version, o.updatedBy])).toEqual([
      ['pos', 'refunded', 2, 'client:system:orders-from-interactions'], ['ecommerce', 'cancelled', 2, 'client:system:orders-from-interactions'],
    ]);
    expect((await getOrderStats(deps, ctx(), c.id)).currencies.CNY).toMatchObject({ paidCount: 1, paidAmount: 60, refundedCount: 1, refundedAmount: 60, cancelledCount: 1 });
    expect((await auditOf(orders[0]!.id)).find((a) => a.action === 'orders:update')).toMatchObject({ detail: { interactionId: full.id } });
  });
});
