import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('industry templates', () => {
  it('lists at least 8 templates and installs one idempotently, tenant by tenant', async () => {
    const admin = await server.token('clinic-co', { userId: 'root', roles: ['admin'] });
    const list = await server.call('GET', '/v1/templates', { token: admin });
    expect(list.body.items.length).toBeGreaterThanOrEqual(8);
    expect(list.body.items.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['auto-dealer-4s', 'law-firm', 'medical-clinic', 'b2b-manufacturing']));

    // The tenant already has its own `bloodType`: a template never overwrites it.
    await server.call('PUT', '/v1/fields/customer/bloodType', { token: admin, body: { label: 'Blood', type: 'text' } });
    const first = await server.call('POST', '/v1/templates/medical-clinic/install', { token: admin });
    expect(first.status).toBe(200);
    expect(first.body.installedFields).toEqual(['nationalId', 'allergies', 'medicalNotes', 'nextVisit']);
    expect(first.body.skippedFields).toEqual([{ key: 'bloodType', reason: 'defined-differently' }]);
    expect(first.body.sensitiveFieldsAdded).toEqual(['customFields.nationalId', 'customFields.allergies', 'customFields.medicalNotes']);
    const again = await server.call('POST', '/v1/templates/medical-clinic/install', { token: admin });
    expect(again.body.installedFields).toEqual([]);
    expect(again.body.sensitiveFieldsAdded).toEqual([]);

    // The installed definitions validate records, and the sensitive ones are sealed.
    const bad = await server.call('POST', '/v1/customers', { token: admin, body: { kind: 'person', name: 'P', customFields: { nationalId: '123' } } });
    expect([bad.status, bad.body.errors[0].path]).toEqual([400, 'body.customFields.nationalId']);
    const ok = await server.call('POST', '/v1/customers', { token: admin, body: { kind: 'person', name: 'P', customFields: { nationalId: '11010519491231002X' } } });
    expect(ok.status).toBe(201);
    expect((await server.call('GET', '/v1/settings/security', { token: admin })).body.sensitiveFields).toContain('customFields.nationalId');

    const other = await server.token('other-co', { userId: 'root', roles: ['admin'] });
    expect((await server.call('GET', '/v1/fields', { token: other })).body.items).toEqual([]);
    const sales = await server.token('clinic-co', { userId: 'rep', roles: ['sales'] });
    expect((await server.call('GET', '/v1/templates', { token: sales })).status).toBe(200);
    expect((await server.call('POST', '/v1/templates/law-firm/install', { token: sales })).status).toBe(403);
    expect((await server.call('POST', '/v1/templates/no-such/install', { token: admin })).status).toBe(404);
  });
});
