import { SignJWT, base64url } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '@crm/manifest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('token verification (same rules as the Cognito authorizer)', () => {
  const list = (token?: string, headers: Record<string, string> = {}) => server.call('GET', '/v1/customers', { ...(token ? { token } : {}), headers });

  it('accepts a valid access token', async () => {
    expect((await list(await server.token('acme'))).status).toBe(200);
  });

  it('rejects missing, malformed, tampered, expired, alg:none, foreign-key, ID and scope-less tokens with 401 problems', async () => {
    const valid = await server.token('acme');
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
    const reencode = (c: object) => base64url.encode(JSON.stringify(c));

    const tampered = `${header}.${reencode({ ...claims, 'custom:tenant_id': 'globex' })}.${signature}`;
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`;
    const expired = await server.token('acme', { ttlSeconds: 1, now: new Date(Date.now() - 3600_000) });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: JSON.parse(new TextDecoder().decode(base64url.decode(header))).kid }).sign(privateKey);
    const wrongIssuer = await new SignJWT({ ...claims, iss: 'https://evil.example' }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    const idToken = `${header}.${reencode({ ...claims, token_use: 'id' })}.${signature}`; // also fails the signature
    const noScope = await server.token('acme', { scopes: ['crm/deals.read'] });

    for (const [name, res] of [
      ['missing', await list()],
      ['not bearer', await list(undefined, { authorization: `Basic ${valid}` })],
      ['garbage', await list('abc.def.ghi')],
      ['tampered', await list(tampered)],
      ['alg none', await list(none)],
      ['expired', await list(expired)],
      ['foreign key', await list(foreign)],
      ['wrong issuer', await list(wrongIssuer)],
      ['id token', await list(idToken)],
      ['missing scope', await list(noScope)],
    ] as const) {
      expect({ name, status: res.status, code: res.body.code, type: res.headers.get('content-type') }).toEqual({ name, status: 401, code: 'unauthorized', type: 'application/problem+json' });
    }
  });

  it('rejects a properly signed ID token (token_use: id)', async () => {
    // Mint through the local issuer's key by re-signing: only the verifier's token_use check can catch it.
    const { loadOrCreateSigningKey } = await import('@crm/local-runtime');
    const key = await loadOrCreateSigningKey(server.dataDir);
    const idToken = await new SignJWT({ token_use: 'id', client_id: 'crm-local-web', 'custom:tenant_id': 'acme', username: 'alice', scope: 'crm/customers.read' })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid }).setIssuer('urn:crm:local:issuer').setSubject('alice').setIssuedAt().setExpirationTime('1h').sign(key.privateKey);
    const res = await list(idToken);
    expect([res.status, res.body.code]).toEqual([401, 'unauthorized']);
  });

  it('enforces per-route scopes: read-only tokens cannot write', async () => {
    const readOnly = await server.token('acme', { scopes: ['crm/customers.read'] });
    expect((await list(readOnly)).status).toBe(200);
    const write = await server.call('POST', '/v1/customers', { token: readOnly, body: { kind: 'person', name: 'X' } });
    expect(write.status).toBe(401);
  });

  it('serves the OpenAPI document and Swagger UI without a token', async () => {
    const doc = await server.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    for (const entry of manifest) {
      if (entry.kind !== 'http') continue;
      expect(doc.body.paths[entry.path]?.[entry.method.toLowerCase()], `${entry.method} ${entry.path}`).toBeDefined();
    }
    const ui = await server.call('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.body).toContain('SwaggerUIBundle');
    const css = await server.call('GET', '/docs/swagger-ui.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await server.call('GET', '/docs/..%2fpackage.json')).status).toBe(404);
  });
});
