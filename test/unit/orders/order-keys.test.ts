import { describe, expect, it } from 'vitest';
import { applyStatsChange, orderIndexAttributes, orderKeys, orderStatsPutOperation, type OrderStats } from '@crm/core';

describe('order keys (offline)', () => {
  it('gives an order its own partition, indexed per customer and per tenant by orderedAt, tenant first everywhere', () => {
    expect(orderKeys.order('acme', '01JORDER')).toEqual({ pk: 'T#acme#ORDER#01JORDER', sk: 'ORDER' });
    expect(orderIndexAttributes('acme', { id: '01JORDER', customerId: '01JCUST', orderedAt: '2026-11-01T08:00:00.000Z' })).toEqual({
      gsi1pk: 'T#acme#CORDERS#01JCUST', gsi1sk: '2026-11-01T08:00:00.000Z#01JORDER',
      gsi2pk: 'T#acme#ORDERS', gsi2sk: '2026-11-01T08:00:00.000Z#01JORDER',
    });
    // `to` is inclusive: every id at that instant sorts below the bound; `from` below all of them.
    const sk = orderKeys.sortKey('2026-11-01T08:00:00.000Z', 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(orderKeys.to('2026-11-01T08:00:00.000Z') > sk).toBe(true);
    expect(orderKeys.from('2026-11-01T08:00:00.000Z') < orderKeys.sortKey('2026-11-01T08:00:00.000Z', '0')).toBe(true);
    expect(orderKeys.stats('acme', '01JCUST')).toEqual({ pk: 'T#acme#C#01JCUST', sk: 'ORDERSTATS' });
  });

  it('digests shop order numbers per source (any characters, fixed length, no key injection)', () => {
    const a = orderKeys.externalId('acme', 'pos', 'A#1/2');
    expect(a).toEqual({ pk: expect.stringMatching(/^T#acme#ORDEREXT#pos#[A-Za-z0-9_-]{32}$/), sk: 'ORDEREXT' });
    expect(orderKeys.externalId('acme', 'pos', 'A#1/2')).toEqual(a);
    expect(orderKeys.externalId('acme', 'ecommerce', 'A#1/2').pk).not.toBe(a.pk);
    expect(orderKeys.externalId('acme', 'pos', 'A#1/3').pk).not.toBe(a.pk);
    expect(orderKeys.shopOrder('acme', 'pos', 'S-1/R#2')).toEqual({ pk: expect.stringMatching(/^T#acme#ORDERSHOP#pos#[A-Za-z0-9_-]{32}$/), sk: 'ORDERSHOP' });
    expect(orderKeys.shopOrder('acme', 'pos', 'S-1/R#2').pk).not.toBe(orderKeys.shopOrder('acme', 'pos', 'S-2/R#2').pk);
  });

  it('writes the first stats item with notExists and later ones conditional on the version read', () => {
    const empty: OrderStats = { customerId: '01JCUST', currencies: {}, version: 0 };
    const next = applyStatsChange(empty, { kind: 'recorded', order: { amount: 0.1, currency: 'CNY', status: 'paid', orderedAt: '2026-11-01T08:00:00.000Z' } });
    const first = orderStatsPutOperation('acme', empty, next, new Date('2026-11-25T10:00:00Z'));
    expect(first).toEqual({
      type: 'put', condition: { kind: 'notExists' },
      item: { pk: 'T#acme#C#01JCUST', sk: 'ORDERSTATS', entity: 'order-stats', tenantId: 'acme', customerId: '01JCUST', currencies: next.currencies, version: 1, updatedAt: '2026-11-25T10:00:00.000Z' },
    });
    const second = orderStatsPutOperation('acme', { ...next, version: 1 }, next, new Date('2026-11-25T10:00:00Z'));
    expect(second).toMatchObject({ condition: { kind: 'equals', attribute: 'version', value: 1 }, item: { version: 2 } });
  });

  it('sums amounts in cents (no float drift) and moves totals by status', () => {
    let s: OrderStats = { customerId: 'c', currencies: {}, version: 0 };
    for (let i = 0; i < 3; i += 1) s = applyStatsChange(s, { kind: 'recorded', order: { amount: 0.1, currency: 'CNY', status: 'paid', orderedAt: `2026-11-0${i + 1}T00:00:00.000Z` } });
    s = applyStatsChange(s, { kind: 'recorded', order: { amount: 0.2, currency: 'CNY', status: 'cancelled', orderedAt: '2026-12-01T00:00:00.000Z' } });
    s = applyStatsChange(s, { kind: 'status-changed', order: { amount: 0.1, currency: 'CNY', orderedAt: '2026-11-02T00:00:00.000Z' }, from: 'paid', to: 'refunded' });
    s = applyStatsChange(s, { kind: 'status-changed', order: { amount: 0.1, currency: 'CNY', orderedAt: '2026-11-03T00:00:00.000Z' }, from: 'paid', to: 'cancelled' });
    expect(s.currencies.CNY).toEqual({
      paidCount: 2, paidAmount: 0.2, refundedCount: 1, refundedAmount: 0.1, cancelledCount: 2,
      firstOrderAt: '2026-11-01T00:00:00.000Z', lastOrderAt: '2026-11-03T00:00:00.000Z',
    });
  });
});
