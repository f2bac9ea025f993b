import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
const T = 'secret-co';
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const rawItem = (id: string): string => {
  const db = new Database(join(server.dataDir, 'crm.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT data FROM items WHERE pk = ? AND sk = ?').get(`T#${T}#C#${id}`, 'PROFILE') as { data: string }).data;
  } finally {
    db.close();
  }
};

describe('sensitive fields: envelope-encrypted at rest, audited on read, masked by role', () => {
  it('stores ciphertext, serves plaintext to permitted readers, and keeps values out of the audit log', async () => {
    const admin = await server.token(T, { userId: 'root', roles: ['admin'] });
    const call = (method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>) =>
      server.call(method, path, { token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
    const settings = await call('PUT', '/v1/settings/security', admin, { sensitiveFields: ['customFields.nationalId', 'address'] }, { 'if-match': '"0"' });
    expect(settings.status).toBe(200);

    const created = await call('POST', '/v1/customers', admin, {
      kind: 'person', name: 'Patient Zero', address: { city: 'Hangzhou', line1: '1 Secret Rd' }, customFields: { nationalId: '330102199001011234', level: 1 },
    });
    expect(created.status).toBe(201);
    expect(created.body.customFields.nationalId).toBe('330102199001011234');
    const id = created.body.id as string;

    const raw = rawItem(id);
    expect(raw).not.toContain('330102199001011234');
    expect(raw).not.toContain('Secret Rd');
    expect(raw).toContain('enc:v1:');
    expect(raw).toContain('"level":1'); // positive control: other fields stay in clear

    const got = await call('GET', `/v1/customers/${id}`, admin);
    expect(got.body.customFields.nationalId).toBe('330102199001011234');
    expect(got.body.address).toEqual({ city: 'Hangzhou', line1: '1 Secret Rd' });
    const listed = await call('GET', '/v1/customers?namePrefix=patient', admin);
    expect(listed.body.items[0].address.city).toBe('Hangzhou');

    // Analysts may not see addresses: the sealed field is dropped, not decrypted.
    const analyst = await server.token(T, { userId: 'ana', roles: ['analyst'] });
    const masked = await call('GET', `/v1/customers/${id}`, analyst);
    expect(masked.body).not.toHaveProperty('address');
    expect(masked.body.customFields.nationalId).toBe('330102199001011234');

    const patched = await call('PATCH', `/v1/customers/${id}`, admin, { customFields: { nationalId: '330102199001019999' } }, { 'if-match': '"1"' });
    expect(patched.body.customFields.nationalId).toBe('330102199001019999');
    expect(rawItem(id)).not.toContain('330102199001019999');

    await server.drain();
    const audit = await call('GET', `/v1/audit?resource=customer&resourceId=${id}`, admin);
    expect(audit.status).toBe(200);
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['customers:create', 'customers:update', 'customers:read-sensitive']));
    const text = JSON.stringify(audit.body);
    expect(text).not.toContain('330102199001011234');
    expect(text).not.toContain('330102199001019999');
    const update = audit.body.items.find((e: { action: string }) => e.action === 'customers:update');
    expect(update.changes).toContainEqual({ field: 'customFields.nationalId', before: '[sensitive]', after: '[sensitive]' });
    const settingsAudit = await call('GET', '/v1/audit?resource=security-settings', admin);
    expect(settingsAudit.body.items[0]).toMatchObject({ action: 'settings:manage', changes: [{ field: 'sensitiveFields', before: [], after: ['address', 'customFields.nationalId'] }] });
    const read = audit.body.items.find((e: { action: string; actor: { subject: string } }) => e.action === 'customers:read-sensitive' && e.actor.subject === 'ana');
    expect(read.detail.fields).toEqual(['customFields.nationalId']);
  });

  it('audits denials and admin token use, and the chain verifies', async () => {
    const admin = await server.token(T, { userId: 'root2', roles: ['admin'] });
    const sales = await server.token(T, { userId: 'rep', roles: ['sales'] });
    const c = (await server.call('POST', '/v1/customers', { token: admin, body: { kind: 'person', name: 'Denied' } })).body;
    expect((await server.call('DELETE', `/v1/customers/${c.id}`, { token: sales })).status).toBe(403);
    await server.drain();
    const denials = await server.call('GET', '/v1/audit?actor=rep', { token: admin });
    expect(denials.body.items).toContainEqual(expect.objectContaining({ action: 'customers:delete', outcome: 'denied', resourceId: c.id }));
    const tokenUse = await server.call('GET', '/v1/audit?actor=root2', { token: admin });
    expect(tokenUse.body.items.filter((e: { action: string }) => e.action === 'auth:token-use')).toHaveLength(1);
    const verify = await server.call('GET', '/v1/audit/verify', { token: admin });
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.checked).toBeGreaterThan(5);
  });
});
