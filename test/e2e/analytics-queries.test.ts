import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerKeys, orderKeys } from '@crm/core';
import { getContainer } from '@crm/runtime';
import { handler as updateDashboard } from '../../functions/analytics/update-dashboard.handler';
import { startTestServer, type TestCaller, type TestServer } from '../support/test-server';

/**
 * Analytics API through the local server: orders exported to the lake by the change feed, a report
 * queued, run by the `run-analytics-queries` consumer on DuckDB, and read back; the dashboard's
 * order figures kept by `update-dashboard`.
 */
let server: TestServer;
let admin: TestCaller;
beforeAll(async () => {
  server = await startTestServer();
  admin = await server.as('ana-co');
});
afterAll(() => server?.stop());

const now = new Date();
const thisMonth = now.toISOString().slice(0, 7);
const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
const inMonth = (month: string, day: number) => `${month}-${String(day).padStart(2, '0')}T08:00:00.000Z`;

describe('analytics queries and dashboard (e2e)', () => {
  it('runs an RFM query over the lake the change feed wrote, for analysts and admins only', async () => {
    const c1 = (await admin('POST', '/v1/customers', { kind: 'person', name: 'Wang Fang' })).body;
    const c2 = (await admin('POST', '/v1/customers', { kind: 'person', name: 'Zhao Lei' })).body;
    for (const [customerId, amount, at] of [[c1.id, 120.5, inMonth(thisMonth, 1)], [c1.id, 80, inMonth(lastMonth, 3)], [c2.id, 15, inMonth(lastMonth, 4)]] as const) {
      expect((await admin('POST', '/v1/orders', { customerId, amount, currency: 'CNY', status: 'paid', orderedAt: at })).status).toBe(201);
    }
    await server.drain();

    const analyst = await server.as('ana-co', 'ana', ['analyst']);
    const posted = await analyst('POST', '/v1/analytics/queries', { report: 'rfm', params: { currency: 'CNY', asOf: now.toISOString() } });
    expect(posted.status).toBe(202);
    expect(posted.body).toEqual({ id: expect.any(String), status: 'queued' });
    expect(posted.headers.get('location')).toBe(`/v1/analytics/queries/${posted.body.id}`);
    expect((await analyst('GET', `/v1/analytics/queries/${posted.body.id}`)).body).toMatchObject({ status: 'queued', report: 'rfm' });

    await server.drain();
    const done = await analyst('GET', `/v1/analytics/queries/${posted.body.id}`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id: posted.body.id, status: 'succeeded', rowCount: 2, params: { currency: 'CNY', asOf: now.toISOString() } });
    const byCustomer = Object.fromEntries(done.body.rows.map((r: { customer_id: string }) => [r.customer_id, r]));
    expect(byCustomer[c1.id]).toMatchObject({ frequency: 2, monetary: '200.50' });
    expect(byCustomer[c2.id]).toMatchObject({ frequency: 1, monetary: '15.00' });

    // A funnel over a pipeline with no stage changes yet: succeeded, its listed stages with zeros.
    const funnel = await admin('POST', '/v1/analytics/queries', { report: 'funnel', params: { pipelineId: 'none', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', stages: ['lead', 'won'] } });
    expect(funnel.status).toBe(202);
    await server.drain();
    expect((await admin('GET', `/v1/analytics/queries/${funnel.body.id}`)).body).toMatchObject({ status: 'succeeded', rows: [{ stage: 'lead', deals_reached: 0 }, { stage: 'won', deals_reached: 0 }] });

    // Who may: a sales rep neither creates nor reads; a manager reads; another tenant finds nothing.
    const rep = await server.as('ana-co', 'rep', ['sales']);
    expect((await rep('POST', '/v1/analytics/queries', { report: 'rfm', params: { currency: 'CNY', asOf: now.toISOString() } })).status).toBe(403);
    expect((await rep('GET', `/v1/analytics/queries/${posted.body.id}`)).status).toBe(403);
    expect((await rep('GET', '/v1/analytics/dashboard')).status).toBe(403);
    const manager = await server.as('ana-co', 'boss', ['manager']);
    expect((await manager('POST', '/v1/analytics/queries', { report: 'rfm', params: { currency: 'CNY', asOf: now.toISOString() } })).status).toBe(403);
    expect((await manager('GET', `/v1/analytics/queries/${posted.body.id}`)).status).toBe(200);
    const other = await server.as('other-co');
    expect((await other('GET', `/v1/analytics/queries/${posted.body.id}`)).body).toMatchObject({ status: 404, code: 'not_found' });

    const audit = await admin('GET', `/v1/audit?resource=analytics-query&resourceId=${posted.body.id}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((a: { action: string; actor: { subject: string } }) => `${a.action} ${a.actor.subject}`)).toEqual(
      expect.arrayContaining(['analytics:create ana', 'analytics:read ana', 'analytics:read boss']),
    );
  });

  it('answers 400 with the offending params paths, and never takes the tenant from the body', async () => {
    const bad = await admin('POST', '/v1/analytics/queries', { report: 'rfm', params: { currency: 'cny' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.params.asOf', 'body.params.currency']);
    const funnel = await admin('POST', '/v1/analytics/queries', { report: 'funnel', params: { pipelineId: 'p', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } });
    expect(funnel.body.errors).toEqual([{ path: 'body.params.to', message: 'from must be before to' }]);
    const tenant = await admin('POST', '/v1/analytics/queries', { report: 'rfm', tenantId: 'other-co', params: { currency: 'CNY', asOf: now.toISOString() } });
    expect(tenant.status).toBe(400);
    expect(tenant.body.errors).toEqual([{ path: 'body.tenantId', message: 'unknown field' }]);
    expect((await admin('POST', '/v1/analytics/queries', { report: 'nps', params: {} })).status).toBe(400);
  });

  it('keeps the dashboard order figures from the change feed, without double counting a redelivered record', async () => {
    const shop = await server.as('dash-co');
    const customer = (await shop('POST', '/v1/customers', { kind: 'person', name: 'Sun Li' })).body;
    const orders = [];
    for (const [amount, currency, at] of [[10.1, 'CNY', inMonth(thisMonth, 1)], [20.2, 'CNY', inMonth(thisMonth, 2)], [5, 'USD', inMonth(lastMonth, 9)], [99, 'CNY', inMonth('2020-01', 1)]] as const) {
      orders.push((await shop('POST', '/v1/orders', { customerId: customer.id, amount, currency, status: 'paid', orderedAt: at })).body);
    }
    await server.drain();
    const expected = [
      { month: thisMonth, count: { CNY: 2 }, amount: { CNY: 30.3 } },
      { month: lastMonth, count: { USD: 1 }, amount: { USD: 5 } },
    ];
    const dashboard = await shop('GET', '/v1/analytics/dashboard');
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.paidOrders).toEqual(expected);
    expect(dashboard.body.customersBySegment).toHaveLength(8);
    expect(dashboard.body.deals).toEqual({ countScope: '/', pipelines: [] });

    // The feed delivers the first order's record again (at-least-once): nothing moves.
    const item = (await getContainer().store.get(orderKeys.order('dash-co', orders[0].id)))!;
    const event = { Records: [{ eventID: 'again', eventName: 'INSERT', dynamodb: { SequenceNumber: '1', NewImage: marshall(item, { removeUndefinedValues: true }) } }] } as unknown as DynamoDBStreamEvent;
    expect(await updateDashboard(event)).toEqual({ batchItemFailures: [] });
    expect(await updateDashboard(event)).toEqual({ batchItemFailures: [] });
    expect((await shop('GET', '/v1/analytics/dashboard')).body.paidOrders).toEqual(expected);

    // The RFM write-back (score-rfm schedule) scores the one paying customer: the dashboard counts it in its segment.
    await server.runSchedules();
    await server.drain();
    const scored = (await shop('GET', `/v1/customers/${customer.id}`)).body;
    expect(scored.rfm?.segment).toEqual(expect.any(String));
    const bySegment = (await shop('GET', '/v1/analytics/dashboard')).body.customersBySegment;
    expect(bySegment.filter((s: { customers: number }) => s.customers !== 0)).toEqual([{ segment: scored.rfm.segment, customers: 1 }]);

    // A refund takes the order out of the paid figures.
    expect((await shop('PATCH', `/v1/orders/${orders[1].id}`, { status: 'refunded' }, { 'if-match': '"1"' })).status).toBe(200);
    await server.drain();
    expect((await shop('GET', '/v1/analytics/dashboard')).body.paidOrders[0]).toEqual({ month: thisMonth, count: { CNY: 1 }, amount: { CNY: 10.1 } });
  });

  it('sums the dashboard per team: a manager sees its units\' customers and orders, an analyst the tenant; a moved customer moves its count once', async () => {
    const boss = await server.as('team-co');
    const hq = (await boss('POST', '/v1/org-units', { key: 'hq', name: 'HQ' })).body;
    await boss('POST', '/v1/org-units', { key: 'east', name: 'East', parentId: hq.id });
    await boss('POST', '/v1/org-units', { key: 'west', name: 'West', parentId: hq.id });
    const east = (await boss('POST', '/v1/customers', { kind: 'person', name: 'East Buyer', orgPath: '/hq/east' })).body;
    const west = (await boss('POST', '/v1/customers', { kind: 'person', name: 'West Buyer', orgPath: '/hq/west' })).body;
    expect([east.orgPath, west.orgPath]).toEqual(['/hq/east', '/hq/west']);
    for (const [customerId, amount] of [[east.id, 100], [west.id, 40]] as const) {
      expect((await boss('POST', '/v1/orders', { customerId, amount, currency: 'CNY', status: 'paid', orderedAt: inMonth(thisMonth, 1) })).status).toBe(201);
    }
    await server.drain();
    await server.runSchedules();
    await server.drain();

    const eastManager = await server.as('team-co', 'east-boss', ['manager'], '/hq/east');
    const westManager = await server.as('team-co', 'west-boss', ['manager'], '/hq/west');
    const hqManager = await server.as('team-co', 'hq-boss', ['manager'], '/hq');
    const analyst = await server.as('team-co', 'ana', ['analyst']);
    const figures = async (call: TestCaller) => {
      const res = await call('GET', '/v1/analytics/dashboard');
      expect(res.status).toBe(200);
      const customers = res.body.customersBySegment.reduce((n: number, s: { customers: number }) => n + s.customers, 0);
      return { customers, paid: res.body.paidOrders[0], countScope: res.body.deals.countScope };
    };
    expect(await figures(eastManager)).toEqual({ customers: 1, paid: { month: thisMonth, count: { CNY: 1 }, amount: { CNY: 100 } }, countScope: '/hq/east' });
    expect(await figures(westManager)).toEqual({ customers: 1, paid: { month: thisMonth, count: { CNY: 1 }, amount: { CNY: 40 } }, countScope: '/hq/west' });
    const everything = { customers: 2, paid: { month: thisMonth, count: { CNY: 2 }, amount: { CNY: 140 } } };
    expect(await figures(hqManager)).toEqual({ ...everything, countScope: '/hq' });
    expect(await figures(analyst)).toEqual({ ...everything, countScope: '/' });

    // The east customer moves west: its segment count follows (east −1, west +1); its order stays counted where it was paid.
    const current = await boss('GET', `/v1/customers/${east.id}`);
    expect((await boss('PATCH', `/v1/customers/${east.id}`, { orgPath: '/hq/west' }, { 'if-match': current.headers.get('etag')! })).status).toBe(200);
    await server.drain();
    expect((await figures(eastManager)).customers).toBe(0);
    expect((await figures(westManager)).customers).toBe(2);
    expect(await figures(analyst)).toEqual({ ...everything, countScope: '/' });

    // The feed delivers the move again (at-least-once): nothing moves twice.
    const moved = (await getContainer().store.get(customerKeys.profile('team-co', east.id)))!;
    const event = { Records: [{ eventID: 'move-again', eventName: 'MODIFY', dynamodb: { SequenceNumber: '2', NewImage: marshall(moved, { removeUndefinedValues: true }) } }] } as unknown as DynamoDBStreamEvent;
    expect(await updateDashboard(event)).toEqual({ batchItemFailures: [] });
    expect(await updateDashboard(event)).toEqual({ batchItemFailures: [] });
    expect((await figures(eastManager)).customers).toBe(0);
    expect((await figures(westManager)).customers).toBe(2);
    expect((await figures(hqManager)).customers).toBe(2);
  });
});
