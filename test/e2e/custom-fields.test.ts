import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('custom-field registry', () => {
  it('validates values on every write, applies defaults, hides removed fields without losing data', async () => {
    const admin = await server.token('fields-co', { userId: 'root', roles: ['admin'] });
    const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>, token = admin) =>
      server.call(method, path, { token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });

    // Before any definition the map is free-form (positive control for "once defined, enforced").
    expect((await call('POST', '/v1/customers', { kind: 'person', name: 'Free', customFields: { anything: 'goes' } })).status).toBe(201);

    expect((await call('PUT', '/v1/fields/customer/level', { label: 'Level', type: 'enum', validation: { options: ['gold', 'silver'] }, required: true })).status).toBe(200);
    expect((await call('PUT', '/v1/fields/customer/budget', { label: 'Budget', type: 'currency', validation: { min: 0 } })).status).toBe(200);
    expect((await call('PUT', '/v1/fields/customer/source', { label: 'Source', type: 'text', default: 'web' })).status).toBe(200);
    expect((await call('PUT', '/v1/fields/customer/bad', { label: 'Bad', type: 'enum' })).status).toBe(400); // enum without options
    const listed = await call('GET', '/v1/fields?objectType=customer');
    expect(listed.body.items.map((f: { key: string }) => f.key)).toEqual(['budget', 'level', 'source']);

    const invalid = await call('POST', '/v1/customers', { kind: 'person', name: 'Bad', customFields: { level: 'bronze', budget: -5.555, colour: 'red' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.customFields.budget', 'body.customFields.colour', 'body.customFields.level']);
    const missing = await call('POST', '/v1/customers', { kind: 'person', name: 'Missing' });
    expect(missing.body.errors).toContainEqual({ path: 'body.customFields.level', message: 'required' });

    const ok = await call('POST', '/v1/customers', { kind: 'person', name: 'Good', customFields: { level: 'gold', budget: 1200.5 } });
    expect(ok.status).toBe(201);
    expect(ok.body.customFields).toEqual({ level: 'gold', budget: 1200.5, source: 'web' });
    const id = ok.body.id;
    const badPatch = await call('PATCH', `/v1/customers/${id}`, { customFields: { level: null } }, { 'if-match': '"1"' });
    expect([badPatch.status, badPatch.body.errors[0].path]).toEqual([400, 'body.customFields.level']);

    // Changing the type of a field is refused; removing it hides values but keeps them.
    expect((await call('PUT', '/v1/fields/customer/budget', { label: 'Budget', type: 'text' }, { 'if-match': '"1"' })).status).toBe(409);
    expect((await call('DELETE', '/v1/fields/customer/budget')).status).toBe(204);
    expect((await call('GET', `/v1/customers/${id}`)).body.customFields).toEqual({ level: 'gold', source: 'web' });
    const writeRemoved = await call('PATCH', `/v1/customers/${id}`, { customFields: { budget: 1 } }, { 'if-match': '"1"' });
    expect(writeRemoved.body.errors[0]).toEqual({ path: 'body.customFields.budget', message: 'this field was removed' });
    expect((await call('PUT', '/v1/fields/customer/budget', { label: 'Budget', type: 'currency' }, { 'if-match': '"2"' })).status).toBe(200);
    expect((await call('GET', `/v1/customers/${id}`)).body.customFields.budget).toBe(1200.5);

    // Other roles may read definitions but not change them; other tenants are unaffected.
    const sales = await server.token('fields-co', { userId: 'rep', roles: ['sales'] });
    expect((await call('GET', '/v1/fields', undefined, undefined, sales)).status).toBe(200);
    const salesPut = await call('PUT', '/v1/fields/customer/x', { label: 'X', type: 'text' }, undefined, sales);
    expect([salesPut.status, salesPut.body.permission]).toEqual([403, 'fields:manage']);
  });

  it('keeps registries per tenant', async () => {
    const a = await server.token('fields-a', { userId: 'root', roles: ['admin'] });
    const b = await server.token('fields-b', { userId: 'root', roles: ['admin'] });
    expect((await server.call('PUT', '/v1/fields/customer/secret', { token: a, body: { label: 'S', type: 'number', required: true } })).status).toBe(200);
    expect((await server.call('GET', '/v1/fields', { token: b })).body.items).toEqual([]);
    expect((await server.call('POST', '/v1/customers', { token: b, body: { kind: 'person', name: 'B' } })).status).toBe(201);
    expect((await server.call('DELETE', '/v1/fields/customer/secret', { token: b })).status).toBe(404);
    expect((await server.call('GET', '/v1/fields', { token: a })).body.items).toHaveLength(1);
  });
});
