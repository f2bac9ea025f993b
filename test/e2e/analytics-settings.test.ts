import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnKeys } from '@crm/core';
import { getContainer } from '@crm/runtime';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Per-tenant analytics settings through the local server: GET/PUT /v1/settings/analytics with
 * If-Match, validation as problem+json, tenant isolation, and the daily jobs (score-rfm,
 * detect-churn) run by the scheduler with each tenant's currency and churnDays.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

describe('analytics settings (e2e)', () => {
  it('answers the defaults, replaces them with If-Match only, validates, audits, and keeps tenants apart', async () => {
    const a = await server.as('set-a');
    const b = await server.as('set-b');
    const defaults = await a('GET', '/v1/settings/analytics');
    expect(defaults.status).toBe(200);
    expect(defaults.headers.get('etag')).toBe('"0"');
    expect(defaults.body).toEqual({ currency: 'CNY', churnDays: 30, rfmEnabled: true, churnEnabled: true, version: 0, updatedAt: null, updatedBy: null });

    const body = { currency: 'USD', churnDays: 14 };
    expect((await a('PUT', '/v1/settings/analytics', body)).body).toMatchObject({ status: 428, code: 'precondition_required' });
    const put = await a('PUT', '/v1/settings/analytics', body, { 'if-match': defaults.headers.get('etag')! });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('"1"');
    expect(put.body).toMatchObject({ currency: 'USD', churnDays: 14, rfmEnabled: true, churnEnabled: true, version: 1, updatedBy: 'root' });
    const stale = await a('PUT', '/v1/settings/analytics', { ...body, churnDays: 60 }, { 'if-match': '"0"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect(stale.body.code).toBe('precondition_failed');
    expect((await a('GET', '/v1/settings/analytics')).body).toMatchObject({ currency: 'USD', churnDays: 14, version: 1 });

    // Bad input: 400 problem+json with the offending paths; nothing stored.
    for (const [bad, path] of [
      [{ currency: 'usd', churnDays: 14 }, 'body.currency'],
      [{ currency: 'ABC', churnDays: 14 }, 'body.currency'],
      [{ currency: 'USD', churnDays: 6 }, 'body.churnDays'],
      [{ currency: 'USD', churnDays: 366 }, 'body.churnDays'],
      [{ currency: 'USD', churnDays: 14, rfmEnabled: 'no' }, 'body.rfmEnabled'],
      [{ currency: 'USD', churnDays: 14, tenantId: 'set-b' }, 'body.tenantId'],
    ] as const) {
      const res = await a('PUT', '/v1/settings/analytics', bad, { 'if-match': '"1"' });
      expect({ status: res.status, code: res.body.code, paths: [...new Set(res.body.errors?.map((e: { path: string }) => e.path))] }).toEqual({ status: 400, code: 'validation_failed', paths: [path] });
    }
    expect((await a('GET', '/v1/settings/analytics')).body).toMatchObject({ currency: 'USD', churnDays: 14, version: 1 });

    // Tenant A's change leaves tenant B at its defaults, and B's first write starts from "0".
    expect((await b('GET', '/v1/settings/analytics')).body).toEqual(defaults.body);
    expect((await b('PUT', '/v1/settings/analytics', { currency: 'EUR', churnDays: 90 }, { 'if-match': '"1"' })).status).toBe(412);
    expect((await b('PUT', '/v1/settings/analytics', { currency: 'EUR', churnDays: 90 }, { 'if-match': '*' })).status).toBe(200);
    expect((await a('GET', '/v1/settings/analytics')).body).toMatchObject({ currency: 'USD', churnDays: 14, version: 1 });

    // Admins only (settings permission): a manager and an analyst may neither read nor change them.
    for (const role of ['manager', 'analyst']) {
      const caller = await server.as('set-a', role, [role]);
      expect((await caller('GET', '/v1/settings/analytics')).status).toBe(403);
      expect((await caller('PUT', '/v1/settings/analytics', body, { 'if-match': '"1"' })).status).toBe(403);
    }

    await server.drain();
    const audit = await a('GET', '/v1/audit?resource=analytics-settings');
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: { action: string; actor: { subject: string } }) => `${e.action} ${e.actor.subject}`)).toEqual(['settings:manage root']);
  });

  it('runs the daily jobs with each tenant\'s currency and churn days', async () => {
    // Same purchases in two tenants; J scores in USD and flags churn after 7 days, K keeps CNY and 30 days.
    const j = await server.as('jobs-j');
    const k = await server.as('jobs-k');
    expect((await j('PUT', '/v1/settings/analytics', { currency: 'USD', churnDays: 7 }, { 'if-match': '"0"' })).status).toBe(200);
    const big: Record<string, string> = {};
    for (const [tenant, call] of [['jobs-j', j], ['jobs-k', k]] as const) {
      const whale = (await call('POST', '/v1/customers', { kind: 'person', name: 'Whale' })).body;
      big[tenant] = whale.id;
      for (const currency of ['CNY', 'USD']) {
        expect((await call('POST', '/v1/orders', { customerId: whale.id, amount: 1000, currency, status: 'paid', orderedAt: daysAgo(10) })).status).toBe(201);
      }
      for (const name of ['Minnow A', 'Minnow B']) {
        const small = (await call('POST', '/v1/customers', { kind: 'person', name })).body;
        for (const currency of ['CNY', 'USD']) {
          expect((await call('POST', '/v1/orders', { customerId: small.id, amount: 50, currency, status: 'paid', orderedAt: daysAgo(1) })).status).toBe(201);
        }
      }
    }
    await server.drain();
    await server.runSchedules();
    await server.drain();

    const rfmOf = async (call: typeof j, id: string) => (await call('GET', `/v1/customers/${id}`)).body.rfm;
    expect(await rfmOf(j, big['jobs-j']!)).toMatchObject({ currency: 'USD', monetary: 1000, frequency: 1 });
    expect(await rfmOf(k, big['jobs-k']!)).toMatchObject({ currency: 'CNY', monetary: 1000, frequency: 1 });
    const store = getContainer().store;
    expect(await store.get(churnKeys.episode('jobs-j', big['jobs-j']!))).toMatchObject({ status: 'open', currency: 'USD', days: 7, recencyDays: 10 });
    expect(await store.get(churnKeys.episode('jobs-k', big['jobs-k']!))).toBeUndefined();

    // RFM switched off for J: the next run clears its scores, and the dashboard's segment figures follow.
    const segmented = async (call: typeof j) => (await call('GET', '/v1/analytics/dashboard')).body.customersBySegment.reduce((n: number, x: { customers: number }) => n + x.customers, 0);
    expect(await segmented(j)).toBe(3);
    expect((await j('PUT', '/v1/settings/analytics', { currency: 'USD', churnDays: 7, rfmEnabled: false }, { 'if-match': '"1"' })).status).toBe(200);
    await server.runSchedules();
    await server.drain();
    expect(await rfmOf(j, big['jobs-j']!)).toBeUndefined();
    expect(await segmented(j)).toBe(0);
    expect(await segmented(k)).toBe(3);
  });
});
