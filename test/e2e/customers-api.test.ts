import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let acme: string;

beforeAll(async () => {
  server = await startTestServer();
  acme = await server.token('acme');
});
afterAll(() => server?.stop());

const create = (body: unknown, headers: Record<string, string> = {}, token = acme) => server.call('POST', '/v1/customers', { token, body, headers });

describe('customers API over HTTP', () => {
  it('creates, reads, updates with If-Match, and answers ETags', async () => {
    const created = await create({ kind: 'person', name: 'Zhang Wei', phones: [{ number: '+86 138 0013 8000', label: 'mobile' }], emails: [{ address: 'wei@example.cn' }], tags: ['VIP'], customFields: { source: 'fair' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'person', name: 'Zhang Wei', tags: ['vip'], version: 1, ownerId: 'alice', createdBy: 'alice', customFields: { source: 'fair' } });
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/customers/${created.body.id}`);
    expect(created.body).not.toHaveProperty('pk');
    expect(created.body).not.toHaveProperty('tenantId');

    const id = created.body.id;
    const got = await server.call('GET', `/v1/customers/${id}`, { token: acme });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const noIfMatch = await server.call('PATCH', `/v1/customers/${id}`, { token: acme, body: { name: 'Wei Zhang' } });
    expect(noIfMatch.status).toBe(428);
    expect(noIfMatch.body.code).toBe('precondition_required');

    const patched = await server.call('PATCH', `/v1/customers/${id}`, { token: acme, body: { name: 'Wei Zhang', customFields: { source: null, level: 3 } }, headers: { 'if-match': '"1"' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Wei Zhang', version: 2, customFields: { level: 3 } });
    expect(patched.body.customFields).not.toHaveProperty('source');
    expect(patched.headers.get('etag')).toBe('"2"');

    const stale = await server.call('PATCH', `/v1/customers/${id}`, { token: acme, body: { name: 'Lost update' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toBe('application/problem+json');
    expect(stale.body).toMatchObject({ code: 'precondition_failed', status: 412, currentEtag: '"2"' });
    expect((await server.call('GET', `/v1/customers/${id}`, { token: acme })).body.name).toBe('Wei Zhang');
  });

  it('rejects unknown fields and bad types with the offending path, and stores nothing', async () => {
    const before = await server.call('GET', '/v1/customers?namePrefix=bad%20input', { token: acme });
    const unknown = await create({ kind: 'person', name: 'Bad input', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('validation_failed');
    expect(unknown.body.errors).toContainEqual({ path: 'body.colour', message: 'unknown field' });
    const badType = await create({ kind: 'robot', name: 42, phones: [{ number: 7 }] });
    expect(badType.status).toBe(400);
    expect(badType.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['body.kind', 'body.name', 'body.phones.0.number']));
    const serverOwned = await create({ kind: 'person', name: 'Bad input', id: '01J9ZQ4V7Y8K3M2N1P0R5S6T7V', version: 7 });
    expect(serverOwned.status).toBe(400);
    const after = await server.call('GET', '/v1/customers?namePrefix=bad%20input', { token: acme });
    expect(after.body.items).toHaveLength(before.body.items.length);
  });

  it('normalises phones and emails on write, keeping unparseable numbers flagged', async () => {
    const res = await create({
      kind: 'person', name: 'Normalised',
      phones: [{ number: '0086 138-0013-8000', label: 'mobile' }, { number: '(010) 1234 5678' }, { number: 'call the front desk' }],
      emails: [{ address: '  Li.Na@Example.COM ' }],
    });
    expect(res.status).toBe(201);
    expect(res.body.phones).toEqual([
      expect.objectContaining({ raw: '0086 138-0013-8000', e164: '+8613800138000', type: 'mobile', valid: true, label: 'mobile' }),
      expect.objectContaining({ e164: '+861012345678', display: '010-12345678', type: 'fixed_line', valid: true }),
      { raw: 'call the front desk', e164: null, display: null, type: null, valid: false },
    ]);
    expect(res.body.emails).toEqual([{ address: 'Li.Na@example.com' }]);
    const patched = await server.call('PATCH', `/v1/customers/${res.body.id}`, { token: acme, body: { phones: [{ number: '+1 650 253 0000' }], address: { line1: '沪浦东新区世纪大道100号' } }, headers: { 'if-match': '"1"' } });
    expect(patched.body.phones[0]).toMatchObject({ e164: '+16502530000', valid: true });
    expect(patched.body.address).toMatchObject({ line1: '沪浦东新区世纪大道100号', division: { province: '上海市', provinceCode: '31', district: '浦东新区' } });
    const abroad = await create({ kind: 'company', name: 'Abroad', address: { line1: '北京路 1', country: 'DE' } });
    expect(abroad.body.address).toEqual({ line1: '北京路 1', country: 'DE' }); // positive control: only mainland addresses are parsed
  });

  it('maps malformed requests to problem+json with stable codes, never 5xx', async () => {
    const badJson = await server.call('POST', '/v1/customers', { token: acme, body: '{"kind":', headers: { 'content-type': 'application/json' } });
    expect([badJson.status, badJson.body.code]).toEqual([400, 'invalid_json']);
    const wrongType = await server.call('POST', '/v1/customers', { token: acme, body: 'kind=person', headers: { 'content-type': 'text/plain' } });
    expect([wrongType.status, wrongType.body.code]).toEqual([415, 'unsupported_media_type']);
    const noRoute = await server.call('GET', '/v1/nothing', { token: acme });
    expect([noRoute.status, noRoute.body.code]).toEqual([404, 'route_not_found']);
    const badMethod = await server.call('PUT', '/v1/customers', { token: acme, body: {} });
    expect([badMethod.status, badMethod.body.code]).toEqual([405, 'method_not_allowed']);
    const badQuery = await server.call('GET', '/v1/customers?sort=name', { token: acme });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.errors).toContainEqual({ path: 'query.sort', message: 'unknown field' });
    const badLimit = await server.call('GET', '/v1/customers?limit=abc', { token: acme });
    expect(badLimit.status).toBe(400);
    const malformedId = await server.call('GET', '/v1/customers/not-an-id', { token: acme });
    expect([malformedId.status, malformedId.body.code]).toEqual([404, 'not_found']);
    const emptyPatch = await server.call('PATCH', '/v1/customers/01J9ZQ4V7Y8K3M2N1P0R5S6T7V', { token: acme, body: {}, headers: { 'if-match': '"1"' } });
    expect(emptyPatch.status).toBe(400);
    const kindChange = await create({ kind: 'company', name: 'Kind Co' });
    const changeKind = await server.call('PATCH', `/v1/customers/${kindChange.body.id}`, { token: acme, body: { kind: 'person' }, headers: { 'if-match': '"1"' } });
    expect(changeKind.status).toBe(400);
    expect(changeKind.body.errors).toContainEqual({ path: 'body.kind', message: 'unknown field' });
  });

  it('honours Idempotency-Key: a retry replays, a different body is refused, concurrent retries create one record', async () => {
    const body = { kind: 'company', name: 'Idem Ltd' };
    const first = await create(body, { 'idempotency-key': 'k-1' });
    const retry = await create(body, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const different = await create({ ...body, name: 'Other Ltd' }, { 'idempotency-key': 'k-1' });
    expect([different.status, different.body.code]).toEqual([422, 'idempotency_key_reused']);

    const racers = await Promise.all(Array.from({ length: 8 }, () => create({ kind: 'company', name: 'Race Ltd' }, { 'idempotency-key': 'race' })));
    expect(new Set(racers.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(racers.map((r) => r.body.id)).size).toBe(1);
    const listed = await server.call('GET', '/v1/customers?namePrefix=race%20ltd', { token: acme });
    expect(listed.body.items).toHaveLength(1);
    // The same key in another tenant is another key.
    const other = await create(body, { 'idempotency-key': 'k-1' }, await server.token('globex'));
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);
  });

  it('soft-deletes and restores', async () => {
    const c = (await create({ kind: 'person', name: 'Trash Candidate', tags: ['temp'] })).body;
    expect((await server.call('DELETE', `/v1/customers/${c.id}`, { token: acme, headers: { 'if-match': '"9"' } })).status).toBe(412);
    expect((await server.call('DELETE', `/v1/customers/${c.id}`, { token: acme })).status).toBe(204);
    expect((await server.call('GET', `/v1/customers/${c.id}`, { token: acme })).status).toBe(404);
    const withDeleted = await server.call('GET', `/v1/customers/${c.id}?includeDeleted=true`, { token: acme });
    expect(withDeleted.body).toMatchObject({ deletedBy: 'alice', version: 2 });
    expect((await server.call('GET', '/v1/customers?tag=temp', { token: acme })).body.items).toHaveLength(0);
    const trash = await server.call('GET', '/v1/customers?deleted=true&namePrefix=trash', { token: acme });
    expect(trash.body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    expect((await server.call('DELETE', `/v1/customers/${c.id}`, { token: acme })).status).toBe(404);

    const restored = await server.call('POST', `/v1/customers/${c.id}/restore`, { token: acme });
    expect(restored.status).toBe(200);
    expect(restored.body).not.toHaveProperty('deletedAt');
    expect(restored.body.version).toBe(3);
    expect((await server.call('GET', '/v1/customers?tag=temp', { token: acme })).body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    const again = await server.call('POST', `/v1/customers/${c.id}/restore`, { token: acme });
    expect([again.status, again.body.code]).toEqual([409, 'not_deleted']);
  });

  it('pages through lists without gaps or duplicates and filters by tag, owner, kind, company and name prefix', async () => {
    const t = await server.token('paging-co', { userId: 'bob' });
    const company = (await create({ kind: 'company', name: 'Paging Corp', ownerId: 'carol' }, {}, t)).body;
    const ids: string[] = [company.id];
    for (let i = 0; i < 24; i++) {
      const body = { kind: 'person', name: `Person ${String(i).padStart(2, '0')}`, tags: i % 3 === 0 ? ['gold'] : [], ...(i % 2 === 0 ? { companyId: company.id } : {}), ...(i % 4 === 0 ? { ownerId: 'carol' } : {}) };
      const r = await create(body, {}, t);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: { body: { items: Array<{ id: string; name: string }>; next: string | null } } = await server.call('GET', `/v1/customers?limit=10${after ? `&after=${after}` : ''}`, { token: t });
      seen.push(...page.body.items.map((i) => i.id));
      after = page.body.next;
      pages++;
    } while (after && pages < 10);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());

    const names = (r: { body: { items: Array<{ name: string }> } }) => r.body.items.map((i) => i.name);
    const gold = await server.call('GET', '/v1/customers?tag=GOLD&limit=200', { token: t });
    expect(names(gold)).toEqual(['Person 00', 'Person 03', 'Person 06', 'Person 09', 'Person 12', 'Person 15', 'Person 18', 'Person 21']);
    const carol = await server.call('GET', '/v1/customers?ownerId=carol', { token: t });
    expect(names(carol)).toEqual(['Paging Corp', 'Person 00', 'Person 04', 'Person 08', 'Person 12', 'Person 16', 'Person 20']);
    const companies = await server.call('GET', '/v1/customers?kind=company', { token: t });
    expect(names(companies)).toEqual(['Paging Corp']);
    const contacts = await server.call('GET', `/v1/customers?companyId=${company.id}&limit=5`, { token: t });
    expect(names(contacts)).toEqual(['Person 00', 'Person 02', 'Person 04', 'Person 06', 'Person 08']);
    expect(contacts.body.next).toEqual(expect.any(String));
    const combined = await server.call('GET', '/v1/customers?tag=gold&ownerId=carol&namePrefix=PERSON%201', { token: t });
    expect(names(combined)).toEqual(['Person 12']);
    const prefix = await server.call('GET', '/v1/customers?namePrefix=person%202', { token: t });
    expect(names(prefix)).toEqual(['Person 20', 'Person 21', 'Person 22', 'Person 23']);
    const clamped = await server.call('GET', '/v1/customers?limit=0', { token: t });
    expect(clamped.body.items).toHaveLength(1);

    // A cursor only works for the query and tenant that produced it.
    const first = await server.call('GET', '/v1/customers?limit=2', { token: t });
    const otherQuery = await server.call('GET', `/v1/customers?limit=2&kind=person&after=${first.body.next}`, { token: t });
    expect([otherQuery.status, otherQuery.body.code]).toEqual([400, 'invalid_cursor']);
    const otherTenant = await server.call('GET', `/v1/customers?limit=2&after=${first.body.next}`, { token: acme });
    expect([otherTenant.status, otherTenant.body.code]).toEqual([400, 'invalid_cursor']);
    const garbage = await server.call('GET', '/v1/customers?after=%%%', { token: t });
    expect(garbage.status).toBe(400);
  });

  it('links persons to companies of the same tenant only', async () => {
    const person = (await create({ kind: 'person', name: 'Not A Company' })).body;
    const bad = await create({ kind: 'person', name: 'Employee', companyId: person.id });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toContainEqual({ path: 'body.companyId', message: 'no such company' });
    const foreignCompany = (await create({ kind: 'company', name: 'Foreign Co' }, {}, await server.token('globex'))).body;
    const crossTenant = await create({ kind: 'person', name: 'Employee', companyId: foreignCompany.id });
    expect(crossTenant.status).toBe(400);
    const companyWithCompany = await create({ kind: 'company', name: 'Holding', companyId: foreignCompany.id });
    expect(companyWithCompany.status).toBe(400);
  });
});
