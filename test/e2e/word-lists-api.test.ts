import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const path = '/v1/compliance/word-lists/contact';

describe('PUT/DELETE /v1/compliance/word-lists/{name}', () => {
  it('creates, replaces with If-Match, deletes, audits; managers may not; other tenants never see or touch the list', async () => {
    const admin = await server.token('wl-acme', { userId: 'root', roles: ['admin'] });
    const created = await server.call('PUT', path, { token: admin, body: { words: ['微信', 'ＱＱ'], action: 'mask' } });
    expect(created.status).toBe(200);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ name: 'contact', words: ['微信', 'QQ'], action: 'mask', source: 'api', version: 1, updatedBy: 'root' });

    expect((await server.call('PUT', path, { token: admin, body: { words: ['x'], action: 'flag' } })).body.code).toBe('precondition_required');
    expect((await server.call('PUT', path, { token: admin, body: { words: ['x'], action: 'flag' }, headers: { 'if-match': '"9"' } })).status).toBe(412);
    expect((await server.call('PUT', path, { token: admin, body: { words: [], action: 'flag' }, headers: { 'if-match': '"1"' } })).status).toBe(400);
    expect((await server.call('PUT', '/v1/compliance/word-lists/Bad%20Name', { token: admin, body: { words: ['x'], action: 'flag' } })).status).toBe(400);
    const replaced = await server.call('PUT', path, { token: admin, body: { words: ['微信'], action: 'block' }, headers: { 'if-match': '"1"' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ version: 2, action: 'block' });

    const manager = await server.token('wl-acme', { userId: 'mona', roles: ['manager'] });
    expect((await server.call('PUT', path, { token: manager, body: { words: ['x'], action: 'flag' }, headers: { 'if-match': '"2"' } })).status).toBe(403);
    expect((await server.call('DELETE', path, { token: manager })).status).toBe(403);
    expect((await server.call('GET', '/v1/compliance/word-lists', { token: manager })).body.items).toHaveLength(1);

    // Cross-tenant: the same name in another tenant is another list; a delete there is a 404.
    const other = await server.token('wl-other', { userId: 'eve', roles: ['admin'] });
    expect((await server.call('GET', '/v1/compliance/word-lists', { token: other })).body.items).toEqual([]);
    expect((await server.call('DELETE', path, { token: other })).status).toBe(404);
    expect((await server.call('PUT', path, { token: other, body: { words: ['x'], action: 'flag' }, headers: { 'if-match': '"2"' } })).status).toBe(412);
    expect((await server.call('GET', '/v1/compliance/word-lists', { token: admin })).body.items.map((l: { version: number }) => l.version)).toEqual([2]);

    expect((await server.call('DELETE', path, { token: admin, headers: { 'if-match': '"2"' } })).status).toBe(204);
    expect((await server.call('GET', '/v1/compliance/word-lists', { token: admin })).body.items).toEqual([]);
    expect((await server.call('DELETE', path, { token: admin })).status).toBe(404);

    const audit = await server.call('GET', '/v1/audit?resource=word-list&resourceId=contact', { token: admin });
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`)).toEqual([
      'compliance:manage:success', 'compliance:manage:success', 'compliance:manage:success',
    ]);
  });
});
