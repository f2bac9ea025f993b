import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

// PENDING until the customer write path writes custom-field index items (customFieldIndexItems in
// derivedItems). Then rename this file to custom-field-filters-write-path.test.ts.
// Filters and uniqueness follow every write immediately, without waiting for any consumer.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('custom-field indexes on the write path', () => {
  it('keeps filters in step with creates, updates, renames, deletes and restores, and enforces unique values', async () => {
    const admin = await server.token('cf-write', { userId: 'root', roles: ['admin'] });
    const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      server.call(method, path, { token: admin, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
    const names = async (query: string) => (await call('GET', `/v1/customers?${query}`)).body.items.map((c: { name: string }) => c.name);

    expect((await call('PUT', '/v1/fields/customer/budget', { label: 'Budget', type: 'number', filterable: true })).status).toBe(200);
    expect((await call('PUT', '/v1/fields/customer/email', { label: 'Billing email', type: 'email', unique: true, filterable: true })).status).toBe(200);
    await server.drain(); // empty backfill: both ready
    expect((await call('GET', '/v1/fields')).body.items.map((f: { indexState: string }) => f.indexState)).toEqual(['ready', 'ready']);

    const created = await call('POST', '/v1/customers', { kind: 'company', name: 'Acme', customFields: { budget: 100, email: 'billing@acme.test' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // No drain: the index items were written in the create's own transaction.
    expect(await names('cf.budget=100')).toEqual(['Acme']);
    expect(await names('cf.budget.gte=50')).toEqual(['Acme']);
    expect(await names('cf.email=BILLING@acme.test')).toEqual(['Acme']);

    expect((await call('PATCH', `/v1/customers/${id}`, { name: 'Zenith', customFields: { budget: 200 } }, { 'if-match': '"1"' })).status).toBe(200);
    expect(await names('cf.budget=100')).toEqual([]);
    expect(await names('cf.budget=200&namePrefix=zen')).toEqual(['Zenith']);
    expect(await names('cf.budget.lte=150')).toEqual([]);
    // Exactly one equality and one range item remain for the record.
    expect((await call('GET', '/v1/customers?cf.budget.gte=0')).body.items).toHaveLength(1);

    const dup = await call('POST', '/v1/customers', { kind: 'company', name: 'Copycat', customFields: { email: 'Billing@Acme.test' } });
    expect([dup.status, dup.body.code, dup.body.errors?.[0]?.path]).toEqual([409, 'unique_violation', 'body.customFields.email']);
    expect(await names('namePrefix=copy')).toEqual([]); // nothing of the refused create was written

    expect((await call('DELETE', `/v1/customers/${id}`, undefined, { 'if-match': '"2"' })).status).toBe(204);
    expect(await names('cf.budget=200')).toEqual([]);
    // A deleted record frees its unique value...
    const other = await call('POST', '/v1/customers', { kind: 'company', name: 'Newco', customFields: { email: 'billing@acme.test' } });
    expect(other.status).toBe(201);
    // ...so restoring it now collides.
    const restore = await call('POST', `/v1/customers/${id}/restore`);
    expect([restore.status, restore.body.code]).toEqual([409, 'unique_violation']);
    expect((await call('PATCH', `/v1/customers/${other.body.id}`, { customFields: { email: 'other@newco.test' } }, { 'if-match': '"1"' })).status).toBe(200);
    expect((await call('POST', `/v1/customers/${id}/restore`)).status).toBe(200);
    expect(await names('cf.budget=200')).toEqual(['Zenith']);
  });
});
