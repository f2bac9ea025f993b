import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

// The real local server: PUT /v1/fields turns on filterable/unique, the build-field-index stream
// consumer backfills existing customers through the change feed, GET /v1/customers filters.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('filterable and unique custom fields', () => {
  it('backfills existing customers when a field becomes filterable, then filters by value and range with paging', async () => {
    const admin = await server.token('cf-co', { userId: 'root', roles: ['admin'] });
    const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      server.call(method, path, { token: admin, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
    const names = (res: { body: { items: Array<{ name: string }> } }) => res.body.items.map((c) => c.name);

    expect((await call('PUT', '/v1/fields/customer/budget', { label: 'Budget', type: 'currency' })).status).toBe(200);
    expect((await call('PUT', '/v1/fields/customer/region', { label: 'Region', type: 'multiEnum', validation: { options: ['north', 'south', 'east'] } })).status).toBe(200);
    const rows: Array<[string, number, string[]]> = [['Anhui Steel', 500, ['east']], ['Beijing Tea', -20, ['north']], ['Chengdu Chips', 12000.75, ['south', 'east']], ['Dalian Fish', 500, []], ['Everbright', 0, ['north', 'east']]];
    for (const [name, budget, region] of rows) {
      expect((await call('POST', '/v1/customers', { kind: 'company', name, customFields: { budget, region } })).status).toBe(201);
    }
    await server.drain();

    const notYet = await call('GET', '/v1/customers?cf.budget=500');
    expect([notYet.status, notYet.body.code, notYet.body.errors]).toEqual([400, 'validation_failed', [{ path: 'query.cf.budget', message: expect.stringContaining('not filterable') }]]);

    const put = await call('PUT', '/v1/fields/customer/budget', { label: 'Budget', type: 'currency', filterable: true }, { 'if-match': '"1"' });
    expect(put.body).toMatchObject({ filterable: true, unique: false, indexState: 'building' });
    expect((await call('PUT', '/v1/fields/customer/region', { label: 'Region', type: 'multiEnum', validation: { options: ['north', 'south', 'east'] }, filterable: true }, { 'if-match': '"1"' })).status).toBe(200);
    await server.drain();
    const fields = await call('GET', '/v1/fields');
    expect(fields.body.items.map((f: { key: string; indexState: string }) => [f.key, f.indexState])).toEqual([['budget', 'ready'], ['region', 'ready']]);

    expect(names(await call('GET', '/v1/customers?cf.budget=500'))).toEqual(['Anhui Steel', 'Dalian Fish']);
    expect(names(await call('GET', '/v1/customers?cf.budget=500&namePrefix=dal'))).toEqual(['Dalian Fish']);
    expect(names(await call('GET', '/v1/customers?cf.region=EAST'))).toEqual(['Anhui Steel', 'Chengdu Chips', 'Everbright']);
    expect(names(await call('GET', '/v1/customers?cf.budget.gte=0&cf.budget.lte=12000.75'))).toEqual(['Everbright', 'Anhui Steel', 'Dalian Fish', 'Chengdu Chips']);

    // Cursor paging over a range, one per page, in value order.
    const paged: string[] = [];
    let next: string | null = null;
    do {
      const res = await call('GET', `/v1/customers?cf.budget.gte=-100&limit=2${next ? `&after=${next}` : ''}`);
      expect(res.status).toBe(200);
      paged.push(...names(res));
      next = res.body.next;
    } while (next);
    expect(paged).toEqual(['Beijing Tea', 'Everbright', 'Anhui Steel', 'Dalian Fish', 'Chengdu Chips']);
    // A cursor belongs to its filter.
    const first = await call('GET', '/v1/customers?cf.budget.gte=-100&limit=2');
    expect((await call('GET', `/v1/customers?cf.budget.gte=0&limit=2&after=${first.body.next}`)).body.code).toBe('invalid_cursor');

    const bad = [
      await call('GET', '/v1/customers?cf.region.gte=east'),
      await call('GET', '/v1/customers?cf.budget=lots'),
      await call('GET', '/v1/customers?cf.budget=1&cf.region=east'),
      await call('GET', '/v1/customers?cf.nothing=1'),
      await call('GET', '/v1/customers?cf.budget=1&deleted=true'),
      await call('GET', '/v1/customers?cfx=1'),
    ];
    expect(bad.map((r) => [r.status, r.body.errors?.[0]?.path])).toEqual([
      [400, 'query.cf.region.gte'], [400, 'query.cf.budget'], [400, 'query.cf.region'], [400, 'query.cf.nothing'], [400, 'query.deleted'], [400, 'query.cfx'],
    ]);

    // A caller who may not read a custom field may not filter on it either (it would reveal values).
    const sales = (await call('GET', '/v1/roles')).body.items.find((r: { name: string }) => r.name === 'sales');
    const hide = { permissions: sales.permissions, dataScope: sales.dataScope, fields: { customers: { 'customFields.budget': 'hidden' } } };
    expect((await call('PUT', '/v1/roles/sales', hide, { 'if-match': '"0"' })).status).toBe(200);
    const rep = await server.token('cf-co', { userId: 'rep', roles: ['sales'] });
    const hidden = await server.call('GET', '/v1/customers?cf.budget=500', { token: rep });
    expect([hidden.status, hidden.body.code]).toEqual([403, 'forbidden']);
    expect((await server.call('GET', '/v1/customers?cf.region=east', { token: rep })).status).toBe(200);

    // Tenants are isolated: another tenant's registry has no such field.
    const other = await server.token('cf-other', { userId: 'root', roles: ['admin'] });
    expect((await server.call('GET', '/v1/customers?cf.budget=500', { token: other })).status).toBe(400);
  });

  it('refuses to make a field unique over existing duplicates and says which records collide', async () => {
    const admin = await server.token('cf-unique', { userId: 'root', roles: ['admin'] });
    const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      server.call(method, path, { token: admin, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
    expect((await call('PUT', '/v1/fields/customer/taxNo', { label: 'Tax number', type: 'text' })).status).toBe(200);
    const a = await call('POST', '/v1/customers', { kind: 'company', name: 'One', customFields: { taxNo: 'CN-001' } });
    const b = await call('POST', '/v1/customers', { kind: 'company', name: 'Two', customFields: { taxNo: 'cn-001 ' } });
    await call('POST', '/v1/customers', { kind: 'company', name: 'Three', customFields: { taxNo: 'CN-003' } });

    const refused = await call('PUT', '/v1/fields/customer/taxNo', { label: 'Tax number', type: 'date', unique: true }, { 'if-match': '"1"' });
    expect([refused.status, refused.body.errors?.[0]?.path]).toEqual([400, 'body.unique']);
    expect((await call('PUT', '/v1/fields/customer/taxNo', { label: 'Tax number', type: 'text', unique: true }, { 'if-match': '"1"' })).body.indexState).toBe('building');
    await server.drain();
    const [field] = (await call('GET', '/v1/fields')).body.items;
    expect(field).toMatchObject({ key: 'taxNo', unique: true, indexState: 'failed', conflicts: [{ valueHash: expect.stringMatching(/^[0-9a-f]{64}$/), customerIds: [a.body.id, b.body.id].sort() }] });

    expect((await call('PATCH', `/v1/customers/${b.body.id}`, { customFields: { taxNo: 'CN-002' } }, { 'if-match': '"1"' })).status).toBe(200);
    expect((await call('PUT', '/v1/fields/customer/taxNo', { label: 'Tax number', type: 'text', unique: true }, { 'if-match': '"2"' })).body.indexState).toBe('building');
    await server.drain();
    expect((await call('GET', '/v1/fields')).body.items[0]).toMatchObject({ indexState: 'ready' });
    expect((await call('GET', '/v1/fields')).body.items[0]).not.toHaveProperty('conflicts');
  });
});
