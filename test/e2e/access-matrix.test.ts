import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, type HttpRouteEntry } from '@crm/manifest';
import { crossTenantSamples } from '../support/cross-tenant';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Generated isolation matrix: every manifest route with `{id}` is called (a) by another tenant's
 * admin and (b) by a manager of another team of the same tenant, with the ids of tenant A's /
 * team east's records, live and deleted. Each must answer 404 and change nothing. Positive
 * controls: the owning team's manager reads the same records. A new id route without a sample
 * fails this test.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const idRoutes = manifest.filter((e): e is HttpRouteEntry => e.kind === 'http' && e.path.includes('{id}'));

describe('isolation matrix over every id route', () => {
  it('has a sample for every id route', () => {
    expect(idRoutes.length).toBeGreaterThanOrEqual(9);
    for (const route of idRoutes) expect(crossTenantSamples[route.name], `add a sample for ${route.name} in test/support/cross-tenant`).toBeDefined();
  });

  it('answers 404 to another tenant and to another team, and leaves the records untouched', async () => {
    const admin = await server.token('tenant-a', { userId: 'root', roles: ['admin'] });
    const call = (method: string, path: string, token: string, body?: unknown) => server.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
    const hq = (await call('POST', '/v1/org-units', admin, { key: 'hq', name: 'HQ' })).body;
    const east = (await call('POST', '/v1/org-units', admin, { key: 'east', name: 'East', parentId: hq.id })).body;
    const west = (await call('POST', '/v1/org-units', admin, { key: 'west', name: 'West', parentId: hq.id })).body;
    expect([hq.path, east.path, west.path]).toEqual(['/hq', '/hq/east', '/hq/west']);

    const eastRep = await server.token('tenant-a', { userId: 'east-rep', roles: ['sales'], orgPath: '/hq/east' });
    const eastManager = await server.token('tenant-a', { userId: 'east-boss', roles: ['manager'], orgPath: '/hq/east' });
    const westManager = await server.token('tenant-a', { userId: 'west-boss', roles: ['manager'], orgPath: '/hq/west' });
    const otherTenant = await server.token('tenant-b', { userId: 'root', roles: ['admin'] });

    const live = (await call('POST', '/v1/customers', eastRep, { kind: 'company', name: 'East Secret', tags: ['secret'] })).body;
    expect(live.orgPath).toBe('/hq/east');
    const deleted = (await call('POST', '/v1/customers', eastRep, { kind: 'company', name: 'East Deleted' })).body;
    expect((await call('DELETE', `/v1/customers/${deleted.id}`, eastManager)).status).toBe(204);
    const grant = (await call('POST', '/v1/grants', admin, { grantee: { type: 'user', id: 'east-rep' }, permission: 'customers:export', until: new Date(Date.now() + 86_400_000).toISOString() })).body;
    const leaf = (await call('POST', '/v1/org-units', admin, { key: 'leaf', name: 'Leaf', parentId: east.id })).body;
    const twinA = (await call('POST', '/v1/customers', eastRep, { kind: 'company', name: 'East Twin' })).body;
    const twinB = (await call('POST', '/v1/customers', eastRep, { kind: 'company', name: 'East Twin Ltd' })).body;
    const merge = (await call('POST', '/v1/customers/merge', eastManager, { survivorId: twinA.id, mergeIds: [twinB.id] })).body;
    expect((await call('GET', `/v1/merges/${merge.mergeId}`, eastManager)).status).toBe(200);
    const scan = (await call('POST', '/v1/duplicates/scan', eastManager)).body;
    expect((await call('GET', `/v1/duplicates/scan/${scan.id}`, eastManager)).status).toBe(200);
    const call_ = (await call('POST', '/v1/interactions', eastRep, { customerId: live.id, channel: 'phone_call', type: 'call', occurredAt: '2026-01-05T10:00:00Z', payload: { direction: 'inbound', durationSec: 60 } })).body;
    expect((await call('POST', `/v1/interactions/${call_.id}/recording`, eastRep, { contentType: 'audio/mpeg', sizeBytes: 1024, contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==' })).status).toBe(201);

    // A parked interaction (unknown identity under the park policy) belongs to the tenant, not to a team.
    expect((await server.call('PUT', '/v1/settings/interactions', { token: admin, body: { unknownIdentity: 'park' }, headers: { 'if-match': '"0"' } })).status).toBe(200);
    const parked = (await call('POST', '/v1/interactions', admin, { identity: { phone: '+8613800009999' }, channel: 'phone_call', type: 'call', occurredAt: '2026-01-05T11:00:00Z', payload: { direction: 'inbound', durationSec: 5 } })).body;
    expect(parked.status).toBe('parked');

    const webhook = (await call('POST', '/v1/webhooks', admin, { url: 'https://hooks.partner.example/crm', events: ['customer.*'] })).body;
    const order = (await call('POST', '/v1/orders', eastRep, { customerId: live.id, amount: 99.5, currency: 'CNY', status: 'paid', orderedAt: '2026-01-05T12:00:00Z' })).body;
    expect(order).toMatchObject({ customerId: live.id, status: 'paid', version: 1 });
    expect((await call('GET', `/v1/webhooks/${webhook.id}`, admin)).status).toBe(200);

    const task = (await call('POST', '/v1/tasks', eastRep, { title: 'Call back', dueAt: '2026-12-01T09:00:00Z', customerId: live.id })).body;
    expect(task).toMatchObject({ orgPath: '/hq/east', assigneeId: 'east-rep', version: 1 });
    const note = (await call('POST', `/v1/customers/${live.id}/notes`, eastRep, { body: '<p>East only</p>' })).body;
    expect(note).toMatchObject({ customerId: live.id, excerpt: 'East only', version: 1 });
    const pipeline = (await call('POST', '/v1/pipelines', admin, { name: 'New sales', stages: [{ key: 'lead', name: 'Lead', probability: 10 }, { key: 'won', name: 'Won', probability: 100, outcome: 'won' }] })).body;
    const deal = (await call('POST', '/v1/deals', eastRep, { name: 'East deal', amount: 1000, currency: 'CNY', customerId: live.id, pipelineId: pipeline.id })).body;
    expect(deal).toMatchObject({ orgPath: '/hq/east', ownerId: 'east-rep', stage: 'lead', version: 1 });

    const analyticsQuery = (await call('POST', '/v1/analytics/queries', admin, { report: 'rfm', params: { currency: 'CNY', asOf: '2026-02-01T00:00:00Z' } })).body;
    expect(analyticsQuery).toMatchObject({ status: 'queued' });

    // Positive controls: the owning team sees its records.
    expect((await call('GET', `/v1/customers/${live.id}`, eastManager)).status).toBe(200);
    expect((await call('GET', `/v1/customers/${deleted.id}?includeDeleted=true`, eastManager)).status).toBe(200);
    expect((await call('GET', `/v1/org-units/${leaf.id}`, admin)).status).toBe(200);

    const targets = { customer: [live.id, deleted.id], 'org-unit': [leaf.id], grant: [grant.id], merge: [merge.mergeId], 'duplicate-scan': [scan.id], interaction: [call_.id], 'parked-interaction': [parked.id], webhook: [webhook.id], order: [order.id], task: [task.id], note: [note.id], pipeline: [pipeline.id], deal: [deal.id], 'analytics-query': [analyticsQuery.id] } as const;
    for (const route of idRoutes) {
      const sample = crossTenantSamples[route.name]!;
      const target = sample.target ?? 'customer';
      // Another team only matters for records in data domains (customers); org units and grants are tenant configuration.
      const intruders: Array<[string, string]> = target === 'customer' || target === 'merge' || target === 'duplicate-scan' || target === 'interaction' || target === 'order' || target === 'task' || target === 'note' || target === 'deal' ? [['other tenant', otherTenant], ['other team', westManager]] : [['other tenant', otherTenant]];
      for (const [who, token] of intruders) {
        for (const id of targets[target]) {
          const res = await server.call(route.method, `${route.path.replace('{id}', id)}${sample.query ?? ''}`, {
            token, ...(sample.body !== undefined ? { body: sample.body } : {}), ...(sample.headers ? { headers: sample.headers } : {}),
          });
          expect({ route: route.name, who, status: res.status, code: res.body.code }).toEqual({ route: route.name, who, status: 404, code: 'not_found' });
        }
      }
    }

    expect((await call('GET', `/v1/customers/${live.id}`, eastManager)).body).toEqual(live);
    expect((await call('GET', `/v1/customers/${deleted.id}?includeDeleted=true`, eastManager)).body.deletedAt).toBeDefined();
    expect((await call('GET', `/v1/org-units/${leaf.id}`, admin)).status).toBe(200);
    expect((await call('GET', '/v1/grants', admin)).body.items.map((g: { id: string }) => g.id)).toContain(grant.id);
    expect((await call('GET', `/v1/webhooks/${webhook.id}`, admin)).body).toMatchObject({ status: 'active', version: 1 });
    expect((await call('GET', `/v1/orders/${order.id}`, eastManager)).body).toMatchObject({ status: 'paid', version: 1 });
    expect((await call('GET', `/v1/tasks/${task.id}`, eastManager)).body).toMatchObject({ status: 'open', version: 1 });
    expect((await call('GET', `/v1/notes/${note.id}`, eastManager)).body).toEqual(note);
    expect((await call('GET', `/v1/deals/${deal.id}`, eastManager)).body).toEqual(deal);
    expect((await call('GET', `/v1/pipelines/${pipeline.id}`, admin)).body).toEqual(pipeline);
    expect((await call('GET', '/v1/interactions/parked', admin)).body.items.map((p: { id: string }) => p.id)).toEqual([parked.id]);

    // Lists and filters never show another domain's records.
    for (const [who, token] of [['other tenant', otherTenant], ['other team', westManager]] as const) {
      for (const q of ['', '?tag=secret', '?namePrefix=east', '?kind=company', '?deleted=true', '?ownerId=east-rep']) {
        const res = await call('GET', `/v1/customers${q}`, token);
        expect({ who, q, items: res.body.items }).toEqual({ who, q, items: [] });
      }
    }
    const eastList = await call('GET', '/v1/customers', eastManager);
    expect(eastList.body.items.map((c: { name: string }) => c.name)).toEqual(['East Secret', 'East Twin']);
  });
});
