import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestCaller, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const as = (tenant: string, userId?: string, roles?: string[], orgPath?: string) => server.as(tenant, userId, roles, orgPath);
const crmEntries = async (call: TestCaller, customerId: string) => (await call('GET', `/v1/customers/${customerId}/timeline?channel=crm`)).body.items;

describe('notes through the API', () => {
  it('creates a sanitised note that joins the timeline, edits it under If-Match and deletes it from both', async () => {
    const call = await as('notes-co');
    const customer = (await call('POST', '/v1/customers', { kind: 'company', name: 'Note Target' })).body;

    const created = await call('POST', `/v1/customers/${customer.id}/notes`, {
      body: '<p>Met <span data-mention="bob">@Bob</span>: <a href="javascript:alert(1)" onclick="steal()">offer</a><img src=x onerror=alert(1)></p>',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/notes/${created.body.id}`);
    expect(created.body).toMatchObject({
      customerId: customer.id, format: 'html', version: 1, mentions: ['bob'], excerpt: 'Met @Bob: offer',
      body: '<p>Met <span data-mention="bob">@Bob</span>: <a rel="noopener noreferrer nofollow">offer</a></p>',
    });
    const id = created.body.id;

    const [entry] = await crmEntries(call, customer.id);
    expect(entry).toMatchObject({ id, channel: 'crm', type: 'note', payload: { noteId: id, excerpt: 'Met @Bob: offer', mentions: ['bob'] } });
    expect((await call('GET', `/v1/customers/${customer.id}/timeline?type=note`)).body.items.map((e: { id: string }) => e.id)).toEqual([id]);

    const got = await call('GET', `/v1/notes/${id}`);
    expect([got.status, got.headers.get('etag')]).toEqual([200, '"1"']);
    expect(got.body).toEqual(created.body);

    expect((await call('PATCH', `/v1/notes/${id}`, { body: 'no precondition' })).status).toBe(428);
    const edited = await call('PATCH', `/v1/notes/${id}`, { body: '<p>Offer <em>accepted</em></p>' }, { 'if-match': '"1"' });
    expect([edited.status, edited.headers.get('etag')]).toEqual([200, '"2"']);
    expect(edited.body).toMatchObject({ version: 2, excerpt: 'Offer accepted', mentions: [] });
    const stale = await call('PATCH', `/v1/notes/${id}`, { body: 'lost update' }, { 'if-match': '"1"' });
    expect([stale.status, stale.body.code]).toEqual([412, 'precondition_failed']);
    expect((await crmEntries(call, customer.id))[0].payload).toEqual({ noteId: id, excerpt: 'Offer accepted', mentions: [] });

    const list = await call('GET', `/v1/customers/${customer.id}/notes`);
    expect(list.body).toEqual({ items: [edited.body], next: null });

    expect((await call('DELETE', `/v1/notes/${id}`, undefined, { 'if-match': '"1"' })).status).toBe(412);
    expect((await call('DELETE', `/v1/notes/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/notes/${id}`)).status).toBe(404);
    expect(await crmEntries(call, customer.id)).toEqual([]);
    expect((await call('GET', `/v1/customers/${customer.id}/notes`)).body.items).toEqual([]);

    // Every write is audited.
    const audit = await call('GET', `/v1/audit?resource=note&resourceId=${id}`);
    expect(audit.body.items.map((a: { action: string }) => a.action).sort()).toEqual(['notes:create', 'notes:delete', 'notes:update']);
  });

  it('validates the body: size limit, format and unknown fields', async () => {
    const call = await as('notes-validation');
    const customer = (await call('POST', '/v1/customers', { kind: 'person', name: 'Valid Person' })).body;
    const path = `/v1/customers/${customer.id}/notes`;
    expect((await call('POST', path, { body: 'x'.repeat(50 * 1024 + 1), format: 'text' })).status).toBe(400);
    expect((await call('POST', path, { body: 'x'.repeat(50 * 1024), format: 'text' })).status).toBe(201);
    expect((await call('POST', path, { body: 'x', format: 'markdown' })).body.errors[0].path).toBe('body.format');
    expect((await call('POST', path, { body: 'x', mentions: ['bob'] })).status).toBe(400);
    expect((await call('POST', path, { body: '<script>alert(1)</script>' })).body).toMatchObject({ status: 400, code: 'validation_failed' });
    const first = await call('POST', path, { body: 'once', format: 'text' }, { 'idempotency-key': 'note-1' });
    const retry = await call('POST', path, { body: 'once', format: 'text' }, { 'idempotency-key': 'note-1' });
    expect([retry.status, retry.headers.get('idempotent-replayed'), retry.body.id]).toEqual([201, 'true', first.body.id]);
  });

  it('answers 404 to callers who cannot see the customer and 403 to roles without the permission', async () => {
    const admin = await as('notes-scope');
    const hq = (await admin('POST', '/v1/org-units', { key: 'hq', name: 'HQ' })).body;
    await admin('POST', '/v1/org-units', { key: 'east', name: 'East', parentId: hq.id });
    await admin('POST', '/v1/org-units', { key: 'west', name: 'West', parentId: hq.id });
    const eastRep = await as('notes-scope', 'east-rep', ['sales'], '/hq/east');
    const westRep = await as('notes-scope', 'west-rep', ['sales'], '/hq/west');
    const analyst = await as('notes-scope', 'ana', ['analyst']);
    const customer = (await eastRep('POST', '/v1/customers', { kind: 'company', name: 'East Only' })).body;
    const note = (await eastRep('POST', `/v1/customers/${customer.id}/notes`, { body: 'private', format: 'text' })).body;
    expect(note.createdBy).toBe('east-rep');

    expect((await westRep('GET', `/v1/notes/${note.id}`)).status).toBe(404);
    expect((await westRep('PATCH', `/v1/notes/${note.id}`, { body: 'x' }, { 'if-match': '*' })).status).toBe(404);
    expect((await westRep('GET', `/v1/customers/${customer.id}/notes`)).status).toBe(404);
    expect((await westRep('POST', `/v1/customers/${customer.id}/notes`, { body: 'x' })).status).toBe(404);
    expect((await analyst('GET', `/v1/notes/${note.id}`)).status).toBe(200);
    expect((await analyst('POST', `/v1/customers/${customer.id}/notes`, { body: 'x' })).status).toBe(403);
    // Sales reps may not delete notes (the role matrix keeps deletes to managers and admins).
    expect((await eastRep('DELETE', `/v1/notes/${note.id}`)).status).toBe(403);
    expect((await eastRep('GET', `/v1/notes/${note.id}`)).body).toEqual(note);
  });

  it('writes deal notes into the deal customer\'s timeline and shows them to whoever sees the deal', async () => {
    const admin = await as('notes-deals');
    const hq = (await admin('POST', '/v1/org-units', { key: 'hq', name: 'HQ' })).body;
    await admin('POST', '/v1/org-units', { key: 'east', name: 'East', parentId: hq.id });
    await admin('POST', '/v1/org-units', { key: 'west', name: 'West', parentId: hq.id });
    const eastRep = await as('notes-deals', 'east-rep', ['sales'], '/hq/east');
    const westRep = await as('notes-deals', 'west-rep', ['sales'], '/hq/west');
    const customer = (await eastRep('POST', '/v1/customers', { kind: 'company', name: 'Deal Co' })).body;
    const pipeline = (await admin('POST', '/v1/pipelines', { name: 'New sales', stages: [{ key: 'lead', name: 'Lead', probability: 10 }, { key: 'won', name: 'Won', probability: 100, outcome: 'won' }] })).body;
    const deal = (await eastRep('POST', '/v1/deals', { name: 'Big deal', amount: 5000, currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id })).body;
    expect(deal.id).toBeDefined();

    const created = await eastRep('POST', `/v1/deals/${deal.id}/notes`, { body: '<p>Pricing sent to <span data-mention="boss">@Boss</span></p>' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ customerId: customer.id, dealId: deal.id, mentions: ['boss'], excerpt: 'Pricing sent to @Boss' });
    expect((await eastRep('GET', `/v1/deals/${deal.id}/notes`)).body.items.map((n: { id: string }) => n.id)).toEqual([created.body.id]);
    expect((await eastRep('GET', `/v1/customers/${customer.id}/notes`)).body.items.map((n: { id: string }) => n.id)).toEqual([created.body.id]);
    const [entry] = await crmEntries(eastRep, customer.id);
    expect(entry).toMatchObject({ id: created.body.id, type: 'note', payload: { noteId: created.body.id, dealId: deal.id, excerpt: 'Pricing sent to @Boss', mentions: ['boss'] } });

    expect((await westRep('GET', `/v1/deals/${deal.id}/notes`)).status).toBe(404);
    expect((await westRep('POST', `/v1/deals/${deal.id}/notes`, { body: 'x' })).status).toBe(404);
    expect((await westRep('GET', `/v1/notes/${created.body.id}`)).status).toBe(404);
    expect((await admin('POST', '/v1/deals/01JDEA1000000000000000000C/notes', { body: 'x' })).status).toBe(404);
  });

  it('drops fields a role hides from every note response', async () => {
    const admin = await as('notes-mask');
    const roles = (await admin('GET', '/v1/roles')).body.items;
    const m = roles.find((r: { name: string }) => r.name === 'manager');
    expect((await admin('PUT', '/v1/roles/manager', { permissions: m.permissions, dataScope: m.dataScope, fields: { notes: { createdBy: 'hidden' } } })).status).toBe(200);
    const manager = await as('notes-mask', 'boss', ['manager'], '/');
    const customer = (await admin('POST', '/v1/customers', { kind: 'company', name: 'Mask Co' })).body;
    const created = await manager('POST', `/v1/customers/${customer.id}/notes`, { body: 'masked', format: 'text' });
    const outputs = [
      created.body,
      (await manager('GET', `/v1/notes/${created.body.id}`)).body,
      (await manager('GET', `/v1/customers/${customer.id}/notes`)).body.items[0],
      (await manager('PATCH', `/v1/notes/${created.body.id}`, { body: 'masked 2' }, { 'if-match': '"1"' })).body,
    ];
    for (const out of outputs) expect(out).toMatchObject({ id: created.body.id, customerId: customer.id });
    expect(outputs.map((o) => Object.hasOwn(o, 'createdBy'))).toEqual([false, false, false, false]);
    expect((await admin('GET', `/v1/notes/${created.body.id}`)).body.createdBy).toBe('boss');
  });
});
