import { beforeEach, describe, expect, it } from 'vitest';
import {
  applyDashboardChange, changeOrderStatus, contributionDeltas, createCustomer, CreateCustomerInput, CreateDealInput, createDeal, createOrder, CreateOrderInput,
  createOrgUnit, createPipeline, dashboardKeys, getAnalyticsDashboard, orderKeys, PipelineInput, unitBucketParts, updateCustomer, UpdateOrderInput,
  type ChangeRecord, type CustomerDeps, type SecuredContext,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext as ctx, fixedClock, stores, testEncryptor } from '../support/use-case-harness';

/** Dashboard figures on both stores: counters moved by change records, read back by the use case. */
let deps: CustomerDeps;
let seq = 0;
const record = (eventName: ChangeRecord['eventName'], newImage?: Record<string, unknown>, oldImage?: Record<string, unknown>): ChangeRecord => ({
  eventId: `e${(seq += 1)}`, eventName, approximateCreationTime: 0, ...(newImage ? { newImage } : {}), ...(oldImage ? { oldImage } : {}),
});
const customerImage = (id: string, version: number, segment?: string, extra: Record<string, unknown> = {}, scoredAt = '2026-11-24T02:00:00.000Z') => ({
  pk: `T#acme#C#${id}`, sk: 'PROFILE', entity: 'customer', tenantId: 'acme', id, version, ...(segment ? { rfm: { segment, r: 5, f: 3, m: 4, scoredAt } } : {}), ...extra,
});
const segments = async (c: SecuredContext = ctx()) => Object.fromEntries((await getAnalyticsDashboard(deps, c)).customersBySegment!.filter((s) => s.customers !== 0).map((s) => [s.segment, s.customers]));
const orderItem = async (id: string) => (await deps.store.get(orderKeys.order('acme', id), { consistent: true }))!;
/** A tenant-wide analyst whose role hides order and deal amounts. */
const analyst = (hidden: boolean, dataScope: 'tenant' | 'subtree' | 'own' = 'tenant', orgPath?: string): SecuredContext => {
  const principal = { tenantId: 'acme', kind: 'user' as const, subject: 'ana', roles: ['analyst'], scopes: [], ...(orgPath ? { orgPath } : {}) };
  const fields = hidden ? { orders: { amount: 'hidden' as const }, deals: { amount: 'hidden' as const } } : {};
  return { principal, requestId: 'r', access: { principal, permissions: ['analytics:read'], dataScope, fields, shares: new Set() } };
};

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('analytics dashboard on %s', (adapter) => {
  beforeEach(async () => {
    deps = { store: await stores[adapter](), clock: fixedClock, ids: ulidGenerator(), encryptor: testEncryptor };
  });

  it('counts customers per RFM segment: segment changes move them, deletes, merges and removals take them out', async () => {
    const c1v1 = customerImage('c1', 1);
    const c1v2 = customerImage('c1', 2, 'important_value');
    const c2v1 = customerImage('c2', 1, 'general_recall');
    expect(await applyDashboardChange(deps.store, record('INSERT', c1v1))).toBe('unchanged');
    expect(await applyDashboardChange(deps.store, record('MODIFY', c1v2, c1v1))).toBe('applied');
    expect(await applyDashboardChange(deps.store, record('INSERT', c2v1))).toBe('applied');
    const full = (await getAnalyticsDashboard(deps, ctx())).customersBySegment!;
    expect(full.map((s) => s.segment)).toEqual([
      'important_value', 'important_development', 'important_retention', 'important_recall', 'general_value', 'general_development', 'general_retention', 'general_recall',
    ]);
    expect(await segments()).toEqual({ 'important_value': 1, 'general_recall': 1 });

    const c1v3 = customerImage('c1', 3, 'general_recall');
    expect(await applyDashboardChange(deps.store, record('MODIFY', c1v3, c1v2))).toBe('applied');
    expect(await segments()).toEqual({ 'general_recall': 2 });
    // Merged away and soft-deleted customers count nowhere; a hard removal neither.
    expect(await applyDashboardChange(deps.store, record('MODIFY', customerImage('c1', 4, 'general_recall', { mergedInto: 'c9' }), c1v3))).toBe('applied');
    expect(await applyDashboardChange(deps.store, record('MODIFY', customerImage('c2', 2, 'general_recall', { deletedAt: '2026-11-25T09:00:00Z' }), c2v1))).toBe('applied');
    expect(await segments()).toEqual({});
    const c3 = customerImage('c3', 1, 'important_recall');
    await applyDashboardChange(deps.store, record('INSERT', c3));
    expect(await segments()).toEqual({ 'important_recall': 1 });
    expect(await applyDashboardChange(deps.store, record('REMOVE', undefined, c3))).toBe('applied');
    expect(await segments()).toEqual({});
    // A rehydrated customer (inserted again with its old version) counts again.
    expect(await applyDashboardChange(deps.store, record('INSERT', c3))).toBe('applied');
    expect(await segments()).toEqual({ 'important_recall': 1 });
  });

  it('never double counts: redelivered and out-of-date records change nothing', async () => {
    const v1 = customerImage('c1', 1, 'general_value');
    const v2 = customerImage('c1', 2, 'important_value');
    const first = record('INSERT', v1);
    const second = record('MODIFY', v2, v1);
    await applyDashboardChange(deps.store, first);
    await applyDashboardChange(deps.store, second);
    expect(await applyDashboardChange(deps.store, second)).toBe('stale');
    expect(await applyDashboardChange(deps.store, first)).toBe('stale');
    expect(await segments()).toEqual({ 'important_value': 1 });
    const removed = record('REMOVE', undefined, v2);
    await applyDashboardChange(deps.store, removed);
    expect(await applyDashboardChange(deps.store, removed)).toBe('stale');
    expect(await applyDashboardChange(deps.store, second)).toBe('stale');
    expect(await segments()).toEqual({});
  });

  it('follows the RFM write-back, which keeps the version: a later scoredAt moves the customer, an older one does not', async () => {
    const scored = customerImage('c1', 4, 'general_value', {}, '2026-11-23T02:00:00.000Z');
    const rescored = customerImage('c1', 4, 'important_value', {}, '2026-11-24T02:00:00.000Z');
    expect(await applyDashboardChange(deps.store, record('MODIFY', scored, customerImage('c1', 4)))).toBe('applied');
    expect(await applyDashboardChange(deps.store, record('MODIFY', rescored, scored))).toBe('applied');
    expect(await segments()).toEqual({ important_value: 1 });
    expect(await applyDashboardChange(deps.store, record('MODIFY', scored, customerImage('c1', 4)))).toBe('stale');
    expect(await applyDashboardChange(deps.store, record('MODIFY', rescored, scored))).toBe('stale');
    // The job clears the scores (version kept, `rfmClearedAt` after the last scoredAt): the customer leaves its segment, once.
    const { rfm: _rfm, ...unscored } = rescored;
    const cleared = record('MODIFY', { ...unscored, rfmClearedAt: '2026-11-25T02:00:00.000Z' }, rescored);
    expect(await applyDashboardChange(deps.store, cleared)).toBe('applied');
    expect(await segments()).toEqual({});
    expect(await applyDashboardChange(deps.store, cleared)).toBe('stale');
    expect(await applyDashboardChange(deps.store, record('MODIFY', rescored, scored))).toBe('stale');
    // Scored again the next day (still the same version): back in.
    const back = customerImage('c1', 4, 'important_value', { rfmClearedAt: '2026-11-25T02:00:00.000Z' }, '2026-11-26T02:00:00.000Z');
    expect(await applyDashboardChange(deps.store, record('MODIFY', back, cleared.newImage))).toBe('applied');
    expect(await segments()).toEqual({ important_value: 1 });
    // A later profile edit (version bump, same scores) keeps the segment; a deletion then takes it out.
    expect(await applyDashboardChange(deps.store, record('MODIFY', customerImage('c1', 5, 'important_value'), rescored))).toBe('unchanged');
    expect(await applyDashboardChange(deps.store, record('MODIFY', customerImage('c1', 6, 'important_value', { deletedAt: '2026-11-25T09:00:00Z' })))).toBe('applied');
    expect(await segments()).toEqual({});
  });

  it('sums paid orders of this and last month per currency from order records, once per version', async () => {
    const customer = (await createCustomer(deps, ctx(), CreateCustomerInput.parse({ kind: 'person', name: 'Li Na' }))).customer;
    const order = async (o: Record<string, unknown>) => (await createOrder(deps, ctx(), CreateOrderInput.parse({ customerId: customer.id, amount: 100, currency: 'CNY', status: 'paid', orderedAt: '2026-11-01T08:00:00Z', ...o }))).order;
    const a = await order({ amount: 100.1 });
    const b = await order({ amount: 50.25, orderedAt: '2026-10-31T23:59:59Z' });
    const c = await order({ amount: 9.99, currency: 'USD' });
    const cancelledAtOnce = await order({ amount: 1, status: 'cancelled' });
    const old = await order({ amount: 7, orderedAt: '2026-09-30T10:00:00Z' });
    for (const o of [a, b, c, cancelledAtOnce, old]) await applyDashboardChange(deps.store, record('INSERT', await orderItem(o.id)));
    expect((await getAnalyticsDashboard(deps, ctx())).paidOrders).toEqual([
      { month: '2026-11', count: { CNY: 1, USD: 1 }, amount: { CNY: 100.1, USD: 9.99 } },
      { month: '2026-10', count: { CNY: 1 }, amount: { CNY: 50.25 } },
    ]);

    // Refunding a paid order takes it out; the redelivered records (both versions) change nothing.
    const before = await orderItem(a.id);
    await changeOrderStatus(deps, ctx(), a.id, UpdateOrderInput.parse({ status: 'refunded' }), '"1"');
    const refund = record('MODIFY', await orderItem(a.id), before);
    expect(await applyDashboardChange(deps.store, refund)).toBe('applied');
    expect(await applyDashboardChange(deps.store, refund)).toBe('stale');
    expect(await applyDashboardChange(deps.store, record('INSERT', before))).toBe('stale');
    expect((await getAnalyticsDashboard(deps, ctx())).paidOrders![0]).toEqual({ month: '2026-11', count: { USD: 1 }, amount: { USD: 9.99 } });
    expect(await deps.store.get(dashboardKeys.counter('acme', 'ORDERS#2026-11'))).toMatchObject({ values: { 'count:USD': 1, 'cents:USD': 999 }, version: 3 });

    // Amounts stay hidden from a role that hides the order amount; a team outside the customer's unit (`/`) counts none; own scope gets none.
    expect((await getAnalyticsDashboard(deps, analyst(true))).paidOrders![1]).toEqual({ month: '2026-10', count: { CNY: 1 } });
    const team = await getAnalyticsDashboard(deps, analyst(false, 'subtree', '/hq'));
    expect(team.paidOrders).toEqual([{ month: '2026-11', count: {}, amount: {} }, { month: '2026-10', count: {}, amount: {} }]);
    const own = await getAnalyticsDashboard(deps, analyst(false, 'own', '/hq'));
    expect([own.customersBySegment, own.paidOrders, own.deals]).toEqual([null, null, null]);
  });

  it('keeps segment figures per org unit: a subtree sees its units only, a moved customer moves its count, redelivery changes nothing', async () => {
    const inUnit = (id: string, version: number, segment: string, orgPath: string, extra: Record<string, unknown> = {}) => customerImage(id, version, segment, { orgPath, ...extra });
    const east1 = inUnit('e1', 1, 'important_value', '/hq/east');
    const east2 = inUnit('e2', 1, 'general_recall', '/hq/east');
    const west1 = inUnit('w1', 1, 'important_value', '/hq/west');
    const hq1 = inUnit('h1', 1, 'general_value', '/hq');
    const root1 = customerImage('r1', 1, 'important_value');
    for (const image of [east1, east2, west1, hq1, root1]) expect(await applyDashboardChange(deps.store, record('INSERT', image))).toBe('applied');

    const all = { important_value: 3, general_recall: 1, general_value: 1 };
    expect(await segments()).toEqual(all);
    expect(await segments(analyst(false))).toEqual(all);
    expect(await segments(analyst(false, 'subtree', '/hq/east'))).toEqual({ important_value: 1, general_recall: 1 });
    expect(await segments(analyst(false, 'subtree', '/hq/west'))).toEqual({ important_value: 1 });
    expect(await segments(analyst(false, 'subtree', '/hq'))).toEqual({ important_value: 2, general_recall: 1, general_value: 1 });
    // Segment-aware: /hq/eastern is not under /hq/east.
    expect(await segments(analyst(false, 'subtree', '/hq/eas'))).toEqual({});
    expect((await getAnalyticsDashboard(deps, analyst(false, 'subtree', '/hq/east'))).customersBySegment!.map((s) => s.segment)).toHaveLength(8);

    // e1 moves from east to west: east −1, west +1, the tenant total stays.
    const moved = inUnit('e1', 2, 'important_value', '/hq/west');
    const move = record('MODIFY', moved, east1);
    expect(await applyDashboardChange(deps.store, move)).toBe('applied');
    expect(await segments(analyst(false, 'subtree', '/hq/east'))).toEqual({ general_recall: 1 });
    expect(await segments(analyst(false, 'subtree', '/hq/west'))).toEqual({ important_value: 2 });
    expect(await segments()).toEqual(all);
    expect(await deps.store.get(dashboardKeys.counter('acme', dashboardKeys.unitSegmentBucket('important_value', '/hq/east')))).toMatchObject({ values: {} });

    // Redelivered (the move, and the original insert): nothing moves again.
    expect(await applyDashboardChange(deps.store, move)).toBe('stale');
    expect(await applyDashboardChange(deps.store, record('INSERT', east1))).toBe('stale');
    expect(await segments(analyst(false, 'subtree', '/hq/west'))).toEqual({ important_value: 2 });
    expect(await segments(analyst(false, 'subtree', '/hq/east'))).toEqual({ general_recall: 1 });
    expect(await segments()).toEqual(all);

    // Moving and re-segmenting in one version, then a deletion: both units and the totals follow.
    expect(await applyDashboardChange(deps.store, record('MODIFY', inUnit('w1', 2, 'general_recall', '/hq/east'), west1))).toBe('applied');
    expect(await segments(analyst(false, 'subtree', '/hq/east'))).toEqual({ general_recall: 2 });
    expect(await segments(analyst(false, 'subtree', '/hq/west'))).toEqual({ important_value: 1 });
    expect(await applyDashboardChange(deps.store, record('MODIFY', inUnit('e2', 2, 'general_recall', '/hq/east', { deletedAt: '2026-11-25T09:00:00Z' }), east2))).toBe('applied');
    expect(await segments(analyst(false, 'subtree', '/hq/east'))).toEqual({ general_recall: 1 });
    expect(await segments()).toEqual({ important_value: 2, general_recall: 1, general_value: 1 });
  });

  it('counts marks written before per-unit counters existed: the next record adds the unit without double counting the total', async () => {
    // A mark and tenant total as the single-counter version wrote them.
    await deps.store.put({ ...dashboardKeys.mark('acme', 'customer', 'c1'), entity: 'dashboard-mark', tenantId: 'acme', kind: 'customer', sourceId: 'c1', sourceVersion: 1, sourceSubVersion: '2026-11-24T02:00:00.000Z', removed: false, contribution: { bucket: 'SEGMENT#important_value', values: { customers: 1 } }, version: 1 });
    await deps.store.put({ ...dashboardKeys.counter('acme', 'SEGMENT#important_value'), entity: 'dashboard-counter', tenantId: 'acme', bucket: 'SEGMENT#important_value', values: { customers: 1 }, version: 1 });
    expect(await applyDashboardChange(deps.store, record('MODIFY', customerImage('c1', 2, 'important_value', { orgPath: '/hq' })))).toBe('applied');
    expect(await segments()).toEqual({ important_value: 1 });
    expect(await segments(analyst(false, 'subtree', '/hq'))).toEqual({ important_value: 1 });
  });

  it('keeps paid orders per org unit of the customer: a team sees its customers\' orders, a refund after a move leaves the unit it was counted in', async () => {
    const hq = await createOrgUnit(deps, ctx(), { key: 'hq', name: 'HQ' });
    await createOrgUnit(deps, ctx(), { key: 'east', name: 'East', parentId: hq.id });
    await createOrgUnit(deps, ctx(), { key: 'west', name: 'West', parentId: hq.id });
    const customerIn = async (name: string, orgPath: string) => (await createCustomer(deps, ctx(), CreateCustomerInput.parse({ kind: 'person', name, orgPath }))).customer;
    const east = await customerIn('East Buyer', '/hq/east');
    const west = await customerIn('West Buyer', '/hq/west');
    const order = async (customerId: string, amount: number, currency = 'CNY', orderedAt = '2026-11-02T08:00:00Z') =>
      (await createOrder(deps, ctx(), CreateOrderInput.parse({ customerId, amount, currency, status: 'paid', orderedAt }))).order;
    const e1 = await order(east.id, 100);
    const e2 = await order(east.id, 5, 'USD', '2026-10-15T08:00:00Z');
    const w1 = await order(west.id, 40);
    for (const o of [e1, e2, w1]) expect(await applyDashboardChange(deps.store, record('INSERT', await orderItem(o.id)))).toBe('applied');

    const paid = async (c: SecuredContext) => (await getAnalyticsDashboard(deps, c)).paidOrders;
    expect(await paid(analyst(false, 'subtree', '/hq/east'))).toEqual([
      { month: '2026-11', count: { CNY: 1 }, amount: { CNY: 100 } }, { month: '2026-10', count: { USD: 1 }, amount: { USD: 5 } },
    ]);
    expect(await paid(analyst(false, 'subtree', '/hq/west'))).toEqual([
      { month: '2026-11', count: { CNY: 1 }, amount: { CNY: 40 } }, { month: '2026-10', count: {}, amount: {} },
    ]);
    const everything = [{ month: '2026-11', count: { CNY: 2 }, amount: { CNY: 140 } }, { month: '2026-10', count: { USD: 1 }, amount: { USD: 5 } }];
    expect(await paid(analyst(false, 'subtree', '/hq'))).toEqual(everything);
    expect(await paid(analyst(false))).toEqual(everything);
    expect(await paid(ctx())).toEqual(everything);

    // Redelivered order records change nothing.
    expect(await applyDashboardChange(deps.store, record('INSERT', await orderItem(e1.id)))).toBe('stale');
    expect(await paid(analyst(false, 'subtree', '/hq/east'))).toEqual([
      { month: '2026-11', count: { CNY: 1 }, amount: { CNY: 100 } }, { month: '2026-10', count: { USD: 1 }, amount: { USD: 5 } },
    ]);

    // The east customer moves west: its orders stay with the unit they were counted in, so their refund
    // leaves east (not west), and an order after the move counts in west.
    await updateCustomer(deps, ctx(), east.id, { orgPath: '/hq/west' }, '"1"');
    const before = await orderItem(e1.id);
    await changeOrderStatus(deps, ctx(), e1.id, UpdateOrderInput.parse({ status: 'refunded' }), '"1"');
    expect(await applyDashboardChange(deps.store, record('MODIFY', await orderItem(e1.id), before))).toBe('applied');
    const e3 = await order(east.id, 7);
    expect(await applyDashboardChange(deps.store, record('INSERT', await orderItem(e3.id)))).toBe('applied');
    expect((await paid(analyst(false, 'subtree', '/hq/east')))![0]).toEqual({ month: '2026-11', count: {}, amount: {} });
    expect((await paid(analyst(false, 'subtree', '/hq/west')))![0]).toEqual({ month: '2026-11', count: { CNY: 2 }, amount: { CNY: 47 } });
    expect((await paid(ctx()))![0]).toEqual({ month: '2026-11', count: { CNY: 2 }, amount: { CNY: 47 } });
  });

  it('reads deals per pipeline and stage from the board counters, within the caller\'s subtree', async () => {
    const customer = (await createCustomer(deps, ctx(), CreateCustomerInput.parse({ kind: 'company', name: 'Acme Ltd' }))).customer;
    const pipeline = await createPipeline(deps, ctx(), PipelineInput.parse({ name: 'Sales', stages: [{ key: 'lead', name: 'Lead', probability: 10 }, { key: 'won', name: 'Won', probability: 100, outcome: 'won' }] }));
    await createDeal(deps, ctx(), CreateDealInput.parse({ name: 'D1', amount: 1000, currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id }));
    await createDeal(deps, ctx(), CreateDealInput.parse({ name: 'D2', amount: 20.5, currency: 'USD', customerId: customer.id, pipelineId: pipeline.id }));
    expect((await getAnalyticsDashboard(deps, ctx())).deals).toEqual({
      countScope: '/',
      pipelines: [{ pipelineId: pipeline.id, name: 'Sales', stages: [{ key: 'lead', name: 'Lead', count: 2, amount: { CNY: 1000, USD: 20.5 } }, { key: 'won', name: 'Won', count: 0, amount: {} }] }],
    });
    expect((await getAnalyticsDashboard(deps, analyst(true))).deals!.pipelines[0]!.stages[0]).toEqual({ key: 'lead', name: 'Lead', count: 2 });
    // The deals are owned by `/` (the admin has no org unit): a team manager's subtree holds none of them.
    expect((await getAnalyticsDashboard(deps, analyst(false, 'subtree', '/hq/east'))).deals!.pipelines[0]!.stages[0]).toMatchObject({ count: 0 });
  });
});

describe('dashboard counters (offline)', () => {
  it('keys counters and marks under the tenant and computes deltas from the marked contribution', () => {
    expect(dashboardKeys.counter('acme', dashboardKeys.segmentBucket('important_value'))).toEqual({ pk: 'T#acme#DASHBOARD', sk: 'SEGMENT#important_value' });
    expect(dashboardKeys.ordersBucket('2026-11-30T23:59:59+08:00')).toBe('ORDERS#2026-11');
    expect(dashboardKeys.ordersBucket('2026-12-01T07:00:00+08:00')).toBe('ORDERS#2026-11');
    expect(dashboardKeys.mark('acme', 'order', 'o1')).toEqual({ pk: 'T#acme#DASHMARK#order#o1', sk: 'MARK' });
    expect(dashboardKeys.counter('acme', dashboardKeys.unitSegmentBucket('important_value', '/hq/east'))).toEqual({ pk: 'T#acme#DASHBOARD', sk: 'UNIT#SEGMENT#important_value#/hq/east/' });
    expect(dashboardKeys.unitSegmentBucket('general_recall', '/')).toBe('UNIT#SEGMENT#general_recall#/');
    expect(dashboardKeys.unitOrdersBucket('2026-12-01T07:00:00+08:00', '/hq')).toBe('UNIT#ORDERS#2026-11#/hq/');
    expect(unitBucketParts('UNIT#SEGMENT#important_value#/hq/east/')).toEqual({ figure: 'important_value', orgPath: '/hq/east' });
    expect(unitBucketParts('UNIT#ORDERS#2026-11#/')).toEqual({ figure: '2026-11', orgPath: '/' });
    expect(contributionDeltas([{ bucket: 'A', values: { n: 1 } }], [{ bucket: 'A', values: { n: 1 } }])).toEqual(new Map());
    expect(contributionDeltas([{ bucket: 'A', values: { n: 1 } }], [{ bucket: 'B', values: { n: 1 } }])).toEqual(new Map([['A', { n: -1 }], ['B', { n: 1 }]]));
    // A move between units with the same tenant total: only the unit counters move.
    expect(contributionDeltas([{ bucket: 'T', values: { n: 1 } }, { bucket: 'U1', values: { n: 1 } }], [{ bucket: 'T', values: { n: 1 } }, { bucket: 'U2', values: { n: 1 } }]))
      .toEqual(new Map([['U1', { n: -1 }], ['U2', { n: 1 }]]));
  });
});
