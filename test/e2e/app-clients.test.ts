/**
 * Local parity of the user pool's app clients: the server accepts only tokens whose `client_id` is
 * a registered client (`<dataDir>/keys/clients.json`), like the Cognito authorizer accepts only its
 * pool's clients, and partner tokens are issued only with the client's allowed scopes and tenant.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_ISSUER,
  LOCAL_USER_CLIENT_ID,
  LocalClientRegistry,
  PARTNER_SCOPES,
  issueLocalToken,
  loadOrCreateSigningKey,
  mintAccessToken,
  type SigningKey,
} from '@crm/local-runtime';
import { client as clientCommand } from '../../packages/local-runtime/src/main';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let key: SigningKey;
let registry: LocalClientRegistry;
beforeAll(async () => {
  server = await startTestServer();
  key = await loadOrCreateSigningKey(server.dataDir);
  registry = LocalClientRegistry.open(server.dataDir);
});
afterAll(() => server?.stop());

const list = (token: string) => server.call('GET', '/v1/customers', { token });
const partner = (clientId: string, tenantId = 'acme', scopes?: string[]) =>
  issueLocalToken(key, registry, { tenantId, clientId, ...(scopes ? { scopes } : {}) });

describe('app client registry (audience check)', () => {
  it('starts with the built-in user client only, in a 0600 file under keys/', () => {
    expect(registry.list()).toEqual([{ clientId: LOCAL_USER_CLIENT_ID, kind: 'user', scopes: expect.arrayContaining(['crm/admin']) }]);
    expect(statSync(join(server.dataDir, 'keys', 'clients.json')).mode & 0o777).toBe(0o600);
  });

  it('rejects a correctly signed token of an unregistered client with 401', async () => {
    const token = await mintAccessToken(key, { tenantId: 'acme', clientId: 'ghost-client', scopes: ['crm/customers.read'] });
    const res = await list(token);
    expect([res.status, res.body.code]).toEqual([401, 'unauthorized']);
  });

  it('accepts a client registered while the server runs (CLI path), with its tenant', async () => {
    const lines: string[] = [];
    clientCommand(['add', 'erp-1', '--tenant', 'acme', '--scopes', 'crm/customers.read,crm/customers.write'], { CRM_DATA_DIR: server.dataDir }, (l) => lines.push(l));
    expect(lines).toEqual(['erp-1 → tenant acme; scopes: crm/customers.read crm/customers.write']);
    const token = await partner('erp-1');
    const created = await server.call('POST', '/v1/customers', { token, body: { kind: 'company', name: 'Partner Co' } });
    expect(created.status).toBe(201);
    const res = await list(token);
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: { name: string }) => c.name)).toContain('Partner Co');
  });

  it('registers an unknown client on first token (npx crm token --client), with all partner scopes by default', async () => {
    const token = await partner('forms-1', 'globex');
    expect(registry.find('forms-1')).toEqual({ clientId: 'forms-1', kind: 'partner', tenantId: 'globex', scopes: PARTNER_SCOPES });
    expect((await list(token)).status).toBe(200);
  });

  it('refuses at mint time a scope the client is not allowed, another tenant, or the user client id', async () => {
    registry.addPartner({ clientId: 'reader-1', tenantId: 'acme', scopes: ['crm/customers.read'] });
    await expect(partner('reader-1', 'acme', ['crm/customers.write'])).rejects.toThrow('Client reader-1 may not be granted: crm/customers.write');
    await expect(partner('reader-1', 'globex')).rejects.toThrow('Client reader-1 is registered to tenant acme, not globex');
    await expect(partner(LOCAL_USER_CLIENT_ID)).rejects.toThrow('is the user client');
    expect(() => registry.addPartner({ clientId: 'reader-1', tenantId: 'globex' })).toThrow('already registered to tenant acme');
    // Partners never get tenant administration (the partner app client's allowed scopes in AWS).
    expect(() => registry.addPartner({ clientId: 'admin-1', tenantId: 'acme', scopes: ['crm/admin'] })).toThrow('cannot have: crm/admin');
    expect(registry.find('admin-1')).toBeUndefined();
    expect(registry.find('reader-1')?.scopes).toEqual(['crm/customers.read']);
  });

  it('enforces the route scope on a registered read-only client', async () => {
    const token = await partner('reader-1', 'acme');
    expect((await list(token)).status).toBe(200);
    expect((await server.call('POST', '/v1/customers', { token, body: { kind: 'person', name: 'X' } })).status).toBe(401);
  });
});

describe('claims checks with the issuer key (only the claim under test is wrong)', () => {
  const signed = (claims: Record<string, unknown>, issuer = LOCAL_ISSUER) =>
    new SignJWT({ token_use: 'access', client_id: LOCAL_USER_CLIENT_ID, 'custom:tenant_id': 'acme', username: 'alice', 'cognito:groups': ['sales'], scope: 'crm/customers.read', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid }).setIssuer(issuer).setSubject('alice').setIssuedAt().setExpirationTime('1h').sign(key.privateKey);

  it('accepts the well-formed control token', async () => {
    expect((await list(await signed({}))).status).toBe(200);
  });

  it('rejects a wrong issuer, a missing client_id and an unregistered client_id', async () => {
    for (const [name, token] of [
      ['wrong issuer', await signed({}, 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other')],
      ['no client_id', await signed({ client_id: undefined })],
      ['unknown client_id', await signed({ client_id: 'not-a-client' })],
    ] as const) {
      const res = await list(token);
      expect({ name, status: res.status, code: res.body.code }).toEqual({ name, status: 401, code: 'unauthorized' });
    }
  });
});
