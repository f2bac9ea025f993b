import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let admin: string;
const T = 'access-co';
beforeAll(async () => {
  server = await startTestServer();
  admin = await server.token(T, { userId: 'root', roles: ['admin'] });
});
afterAll(() => server?.stop());

const call = (method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>) =>
  server.call(method, path, { token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
const as = (userId: string, roles: string[], orgPath?: string) => server.token(T, { userId, roles, ...(orgPath ? { orgPath } : {}) });

describe('role matrix', () => {
  it('enforces permissions per role, with the missing permission named', async () => {
    const c = (await call('POST', '/v1/customers', admin, { kind: 'person', name: 'Perm Test' })).body;
    const sales = await as('rep-1', ['sales']);
    const auditor = await as('aud-1', ['auditor']);
    expect((await call('GET', `/v1/customers/${c.id}`, auditor)).status).toBe(200); // positive control
    const auditorWrite = await call('POST', '/v1/customers', auditor, { kind: 'person', name: 'Nope' });
    expect([auditorWrite.status, auditorWrite.body.code, auditorWrite.body.permission]).toEqual([403, 'forbidden', 'customers:create']);
    const salesDelete = await call('DELETE', `/v1/customers/${c.id}`, sales);
    expect([salesDelete.status, salesDelete.body.permission]).toEqual([403, 'customers:delete']);
    expect((await call('GET', '/v1/roles', sales)).status).toBe(403);
    const noRole = await as('nobody', ['unknown-role']);
    expect((await call('GET', '/v1/customers', noRole)).status).toBe(403);
  });

  it('lets admins edit the matrix through /v1/roles with optimistic locking, effective immediately', async () => {
    const roles = await call('GET', '/v1/roles', admin);
    const sales = roles.body.items.find((r: { name: string }) => r.name === 'sales');
    expect(sales).toMatchObject({ builtIn: true, version: 0, dataScope: 'subtree' });
    const rep = await as('rep-2', ['sales']);
    const c = (await call('POST', '/v1/customers', admin, { kind: 'person', name: 'Deletable', ownerId: 'rep-2' })).body;
    expect((await call('DELETE', `/v1/customers/${c.id}`, rep)).status).toBe(403);

    const body = { permissions: [...sales.permissions, 'customers:delete'], dataScope: 'subtree', fields: sales.fields };
    const stale = await call('PUT', '/v1/roles/sales', admin, body, { 'if-match': '"5"' });
    expect(stale.status).toBe(412);
    const put = await call('PUT', '/v1/roles/sales', admin, body, { 'if-match': '"0"' });
    expect([put.status, put.body.version, put.headers.get('etag')]).toEqual([200, 1, '"1"']);
    expect((await call('DELETE', `/v1/customers/${c.id}`, rep)).status).toBe(204);

    const lockout = await call('PUT', '/v1/roles/admin', admin, { permissions: ['customers:read'], dataScope: 'tenant' });
    expect([lockout.status, lockout.body.code]).toEqual([409, 'conflict']);
    const bad = await call('PUT', '/v1/roles/sales', admin, { permissions: ['customers:fly'], dataScope: 'galaxy' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['body.permissions.0', 'body.dataScope']));
    const byManager = await call('PUT', '/v1/roles/sales', await as('boss', ['manager']), body);
    expect(byManager.status).toBe(403);
  });

  it('lets a tenant define custom roles, e.g. a compliance officer who reads the audit log', async () => {
    const officer = await as('co', ['compliance']);
    expect((await call('GET', '/v1/audit', officer)).status).toBe(403);
    const created = await call('PUT', '/v1/roles/compliance', admin, { permissions: ['audit:read', 'customers:read'], dataScope: 'tenant' });
    expect([created.status, created.body.builtIn]).toEqual([200, false]);
    expect((await call('GET', '/v1/audit', officer)).status).toBe(200);
    expect((await call('GET', '/v1/audit/verify', officer)).status).toBe(200);
    expect((await call('POST', '/v1/customers', officer, { kind: 'person', name: 'No' })).status).toBe(403);
  });
});

describe('field-level permissions', () => {
  it('hides fields on get and list, and answers 403 with the path for read-only or hidden fields', async () => {
    const c = (await call('POST', '/v1/customers', admin, {
      kind: 'person', name: 'Masked Person', phones: [{ number: '+86 138 0000 0001' }], emails: [{ address: 'm@example.cn' }],
      address: { city: 'Shanghai' }, tags: ['masked'], customFields: { nationalId: '310101199001011234', level: 2 },
    })).body;
    const analyst = await as('ana', ['analyst']);
    const got = await call('GET', `/v1/customers/${c.id}`, analyst);
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('phones');
    expect(got.body).not.toHaveProperty('emails');
    expect(got.body).not.toHaveProperty('address');
    expect(got.body.name).toBe('Masked Person'); // positive control: visible fields stay
    const listed = await call('GET', '/v1/customers?tag=masked', analyst);
    expect(listed.body.items[0]).not.toHaveProperty('phones');
    expect((await call('GET', `/v1/customers/${c.id}`, admin)).body.phones).toHaveLength(1);

    // Custom fields can be hidden or read-only per role.
    const roles = (await call('GET', '/v1/roles', admin)).body.items;
    const service = roles.find((r: { name: string }) => r.name === 'service');
    await call('PUT', '/v1/roles/service', admin, { ...service, name: undefined, builtIn: undefined, version: undefined, description: undefined, updatedAt: undefined, updatedBy: undefined, fields: { customers: { ...service.fields.customers, 'customFields.nationalId': 'hidden', 'customFields.level': 'read' } } });
    const agent = await as('agent', ['service'], '/');
    const seen = await call('GET', `/v1/customers/${c.id}`, agent);
    expect(seen.body.customFields).toEqual({ level: 2 });
    const write = await call('PATCH', `/v1/customers/${c.id}`, agent, { tags: ['x'], customFields: { level: 3, nationalId: 'x' } }, { 'if-match': `"${c.version}"` });
    expect(write.status).toBe(403);
    expect(write.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.customFields.level', 'body.customFields.nationalId', 'body.tags']);
    const allowed = await call('PATCH', `/v1/customers/${c.id}`, agent, { name: 'Renamed By Service' }, { 'if-match': `"${c.version}"` });
    expect(allowed.status).toBe(200);
    expect(allowed.body.customFields).toEqual({ level: 2 });
    expect((await call('GET', `/v1/customers/${c.id}`, admin)).body.customFields.nationalId).toBe('310101199001011234');
  });

  it('never lets clients set server-owned fields (mass assignment)', async () => {
    for (const field of ['id', 'version', 'createdAt', 'createdBy', 'updatedBy', 'deletedAt', 'tenantId', 'claimedAt', 'pk']) {
      const res = await call('POST', '/v1/customers', admin, { kind: 'person', name: 'Mass', [field]: 'x' });
      expect({ field, status: res.status, path: res.body.errors?.[0]?.path }).toEqual({ field, status: 400, path: `body.${field}` });
    }
  });
});

describe('public pool and claims', () => {
  it('lets exactly one of 50 concurrent claims win; the others get 409 with the owner', async () => {
    const c = (await call('POST', '/v1/customers', admin, { kind: 'company', name: 'Pool Prize', ownerId: null })).body;
    expect(c.ownerId).toBeNull();
    const reps = await Promise.all(Array.from({ length: 50 }, (_, i) => as(`claimer-${i}`, ['sales'], '/')));
    const results = await Promise.all(reps.map((t) => call('POST', `/v1/customers/${c.id}/claim`, t)));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.body.ownerId;
    for (const r of results.filter((x) => x.status !== 200)) expect([r.status, r.body.code, r.body.currentOwner]).toEqual([409, 'conflict', winner]);
    expect((await call('GET', `/v1/customers/${c.id}`, admin)).body).toMatchObject({ ownerId: winner, claimedAt: expect.any(String) });
  });

  it('lists the pool, releases back to it, and enforces the daily quota', async () => {
    const rep = await as('quota-rep', ['sales'], '/');
    const pool = await Promise.all(Array.from({ length: 21 }, (_, i) => call('POST', '/v1/customers', admin, { kind: 'person', name: `Pool ${String(i).padStart(2, '0')}`, ownerId: null })));
    const listed = await call('GET', '/v1/customers?pool=true&namePrefix=pool&limit=200', rep);
    expect(listed.body.items.length).toBeGreaterThanOrEqual(21);
    const outcomes: number[] = [];
    for (const p of pool) outcomes.push((await call('POST', `/v1/customers/${p.body.id}/claim`, rep)).status);
    expect(outcomes.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(outcomes[20]).toBe(409);

    const first = pool[0]!.body.id;
    const other = await as('other-rep', ['sales'], '/other');
    expect((await call('POST', `/v1/customers/${first}/release`, other)).status).toBe(404); // not in its domain
    const released = await call('POST', `/v1/customers/${first}/release`, rep);
    expect([released.status, released.body.ownerId]).toEqual([200, null]);
    expect(released.body).not.toHaveProperty('claimedAt');
    expect((await call('POST', `/v1/customers/${first}/release`, rep)).status).toBe(409);
  });
});

describe('org tree', () => {
  it('keeps paths unique, refuses to delete units with children, and scopes records to subtrees', async () => {
    const hq = (await call('POST', '/v1/org-units', admin, { key: 'north', name: 'North' })).body;
    expect((await call('POST', '/v1/org-units', admin, { key: 'north', name: 'Again' })).status).toBe(409);
    const team = (await call('POST', '/v1/org-units', admin, { key: 'team-1', name: 'Team 1', parentId: hq.id })).body;
    expect(team.path).toBe('/north/team-1');
    expect((await call('DELETE', `/v1/org-units/${hq.id}`, admin)).status).toBe(409);
    const units = await call('GET', '/v1/org-units', admin);
    expect(units.body.items.map((u: { path: string }) => u.path)).toEqual(expect.arrayContaining(['/north', '/north/team-1']));

    const northManager = await as('n-boss', ['manager'], '/north');
    const teamRep = await as('t-rep', ['sales'], '/north/team-1');
    const outsideUnit = await call('POST', '/v1/customers', teamRep, { kind: 'person', name: 'Elsewhere', orgPath: '/north' });
    expect([outsideUnit.status, outsideUnit.body.errors[0].path]).toEqual([403, 'body.orgPath']);
    const unknownUnit = await call('POST', '/v1/customers', admin, { kind: 'person', name: 'Nowhere', orgPath: '/nowhere' });
    expect(unknownUnit.status).toBe(400);
    const mine = (await call('POST', '/v1/customers', teamRep, { kind: 'person', name: 'Team Customer' })).body;
    expect(mine.orgPath).toBe('/north/team-1');
    expect((await call('GET', `/v1/customers/${mine.id}`, northManager)).status).toBe(200); // subtree
    expect((await call('GET', '/v1/customers?namePrefix=team', northManager)).body.items.map((c: { id: string }) => c.id)).toEqual([mine.id]);
    const sibling = await as('s-rep', ['sales'], '/north/team-2');
    expect((await call('GET', `/v1/customers/${mine.id}`, sibling)).status).toBe(404);
    expect((await call('DELETE', `/v1/org-units/${team.id}`, admin)).status).toBe(204);
  });
});

describe('expiring grants', () => {
  it('shares a record and grants a permission until a time; revocation ends them at once', async () => {
    // A tenant of its own: the role-matrix tests above change this tenant's sales role.
    const admin = await server.token('grants-co', { userId: 'root', roles: ['admin'] });
    const as = (userId: string, roles: string[], orgPath: string) => server.token('grants-co', { userId, roles, orgPath });
    const c = (await call('POST', '/v1/customers', admin, { kind: 'person', name: 'Shared Person', orgPath: '/', ownerId: 'someone' })).body;
    const rep = await as('share-rep', ['sales'], '/far-away');
    expect((await call('GET', `/v1/customers/${c.id}`, rep)).status).toBe(404);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const share = await call('POST', '/v1/grants', admin, { grantee: { type: 'user', id: 'share-rep' }, share: { resource: 'customer', id: c.id }, until });
    expect(share.status).toBe(201);
    expect((await call('GET', `/v1/customers/${c.id}`, rep)).status).toBe(200);
    expect((await call('DELETE', `/v1/customers/${c.id}`, rep)).status).toBe(403);
    const perm = (await call('POST', '/v1/grants', admin, { grantee: { type: 'user', id: 'share-rep' }, permission: 'customers:delete', until })).body;
    expect((await call('DELETE', `/v1/customers/${c.id}`, rep)).status).toBe(204);
    expect((await call('DELETE', `/v1/grants/${perm.id}`, admin)).status).toBe(204);
    expect((await call('POST', `/v1/customers/${c.id}/restore`, rep)).status).toBe(403);

    const past = await call('POST', '/v1/grants', admin, { grantee: { type: 'user', id: 'x' }, permission: 'customers:read', until: new Date(Date.now() - 1000).toISOString() });
    expect(past.status).toBe(400);
    const both = await call('POST', '/v1/grants', admin, { grantee: { type: 'user', id: 'x' }, permission: 'customers:read', share: { resource: 'customer', id: c.id }, until });
    expect(both.status).toBe(400);
    expect((await call('POST', '/v1/grants', rep, { grantee: { type: 'user', id: 'x' }, permission: 'customers:read', until })).status).toBe(403);
  });
});

describe('field masks on every customer output path', () => {
  it('drops hidden fields from create, get, list, update, restore, claim and release responses', async () => {
    const admin = await server.token('mask-co', { userId: 'root', roles: ['admin'] });
    const manager = await server.token('mask-co', { userId: 'boss', roles: ['manager'], orgPath: '/' });
    const roles = (await call('GET', '/v1/roles', admin)).body.items;
    const m = roles.find((r: { name: string }) => r.name === 'manager');
    const put = await call('PUT', '/v1/roles/manager', admin, { permissions: m.permissions, dataScope: m.dataScope, fields: { customers: { phones: 'hidden' } } });
    expect(put.status).toBe(200);

    const hasPhones = (body: Record<string, unknown>) => Object.prototype.hasOwnProperty.call(body, 'phones');
    const outputs: Array<[string, Record<string, unknown>]> = [];
    const created = await call('POST', '/v1/customers', admin, { kind: 'person', name: 'Mask Target', phones: [{ number: '+86 138 0000 0002' }], ownerId: null });
    expect(hasPhones(created.body)).toBe(true); // positive control: admins see phones
    const id = created.body.id;
    outputs.push(['get', (await call('GET', `/v1/customers/${id}`, manager)).body]);
    outputs.push(['list', (await call('GET', '/v1/customers?namePrefix=mask', manager)).body.items[0]]);
    outputs.push(['pool list', (await call('GET', '/v1/customers?pool=true', manager)).body.items[0]]);
    const claimed = await call('POST', `/v1/customers/${id}/claim`, manager);
    outputs.push(['claim', claimed.body]);
    const updated = await call('PATCH', `/v1/customers/${id}`, manager, { name: 'Mask Target 2' }, { 'if-match': claimed.headers.get('etag')! });
    outputs.push(['update', updated.body]);
    outputs.push(['release', (await call('POST', `/v1/customers/${id}/release`, manager)).body]);
    expect((await call('DELETE', `/v1/customers/${id}`, manager)).status).toBe(204);
    outputs.push(['restore', (await call('POST', `/v1/customers/${id}/restore`, manager)).body]);
    const own = await call('POST', '/v1/customers', manager, { kind: 'person', name: 'Made By Manager' });
    outputs.push(['create', own.body]);
    for (const [path, body] of outputs) {
      expect({ path, hasId: typeof body.id === 'string', hasPhones: hasPhones(body) }).toEqual({ path, hasId: true, hasPhones: false });
    }
    expect((await call('GET', `/v1/customers/${id}`, admin)).body.phones).toHaveLength(1); // data kept
  });
});
