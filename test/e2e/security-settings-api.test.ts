import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let acmeAdmin: string;
let acmeSales: string;
let globexAdmin: string;

beforeAll(async () => {
  server = await startTestServer();
  acmeAdmin = await server.token('acme');
  acmeSales = await server.token('acme', { userId: 'bob', roles: ['sales'] });
  globexAdmin = await server.token('globex');
});
afterAll(() => server?.stop());

const PATH = '/v1/settings/security';
const put = (token: string, body: unknown, ifMatch?: string) =>
  server.call('PUT', PATH, { token, body, headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } });

describe('security settings API over HTTP', () => {
  it('answers the defaults (version 0, ETag "0") before anything is stored', async () => {
    const res = await server.call('GET', PATH, { token: acmeAdmin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sensitiveFields: [], version: 0, updatedAt: null, updatedBy: null });
    expect(res.headers.get('etag')).toBe('"0"');
  });

  it('replaces the list under If-Match and keeps tenants apart', async () => {
    const noIfMatch = await put(acmeAdmin, { sensitiveFields: ['address'] });
    expect(noIfMatch.status).toBe(428);
    expect(noIfMatch.body.code).toBe('precondition_required');

    const first = await put(acmeAdmin, { sensitiveFields: ['customFields.nationalId', 'address', 'customFields.medicalNotes'] }, '"0"');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      sensitiveFields: ['address', 'customFields.medicalNotes', 'customFields.nationalId'],
      version: 1,
      updatedBy: 'alice',
    });
    expect(first.body).not.toHaveProperty('decryptFields');
    expect(first.headers.get('etag')).toBe('"1"');

    const stale = await put(acmeAdmin, { sensitiveFields: [] }, '"0"');
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('precondition_failed');

    const second = await put(acmeAdmin, { sensitiveFields: ['customFields.nationalId'] }, '"1"');
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ sensitiveFields: ['customFields.nationalId'], version: 2 });

    const read = await server.call('GET', PATH, { token: acmeAdmin });
    expect(read.body).toEqual(second.body);
    expect(read.headers.get('etag')).toBe('"2"');

    // Another tenant's admin sees only its own (default) settings and cannot overwrite acme's.
    const other = await server.call('GET', PATH, { token: globexAdmin });
    expect(other.body).toEqual({ sensitiveFields: [], version: 0, updatedAt: null, updatedBy: null });
    const otherPut = await put(globexAdmin, { sensitiveFields: ['phones'] }, '"0"');
    expect(otherPut.status).toBe(200);
    expect((await server.call('GET', PATH, { token: acmeAdmin })).body.sensitiveFields).toEqual(['customFields.nationalId']);
  });

  it('refuses callers who are not tenant admins with 403 forbidden', async () => {
    const get = await server.call('GET', PATH, { token: acmeSales });
    expect(get.status).toBe(403);
    expect(get.body.code).toBe('forbidden');
    const change = await put(acmeSales, { sensitiveFields: [] }, '*');
    expect(change.status).toBe(403);
    expect(change.body.code).toBe('forbidden');
  });

  it('validates the paths', async () => {
    const res = await put(globexAdmin, { sensitiveFields: ['name', 'a.b.c'] }, '*');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.sensitiveFields.0', 'body.sensitiveFields.1']);
  });
});
