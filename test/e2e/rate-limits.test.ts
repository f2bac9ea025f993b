/**
 * Rate limits of the local server over real HTTP, with tiny limits from the environment. Buckets
 * refill at one request per 1000 s, so no test depends on how fast the machine sends requests.
 */
import { LocalClientRegistry } from '@crm/local-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: {
      CRM_RATE_LIMIT_USER: '0.001/3',
      CRM_RATE_LIMIT_CLIENT: '0.001/2',
      CRM_RATE_LIMIT_PUBLIC: '0.001/2',
      CRM_RATE_LIMIT_TENANT: '0.001/100',
    },
  });
});
afterAll(() => server?.stop());

const RATE_LIMIT_FIELD = /^"(user|partnerClient|publicIp|tenant)";r=(\d+);t=(\d+)$/;

describe('local rate limits (same numbers and headers as AWS, docs/adr/0007)', () => {
  it('answers with RateLimit-Policy and RateLimit headers, then 429 problem+json with Retry-After', async () => {
    const token = await server.token('acme', { userId: 'alice' });

    const first = await server.call('GET', '/v1/customers', { token });
    const second = await server.call('GET', '/v1/customers', { token });
    const third = await server.call('GET', '/v1/customers', { token });
    const refused = await server.call('GET', '/v1/customers', { token });

    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect(first.headers.get('ratelimit-policy')).toBe('"user";q=3;w=3000, "tenant";q=100;w=100000');
    expect(first.headers.get('ratelimit')).toMatch(RATE_LIMIT_FIELD);
    expect([first, second, third].map((res) => res.headers.get('ratelimit')!.replace(/;t=\d+$/, ''))).toEqual([
      '"user";r=2',
      '"user";r=1',
      '"user";r=0',
    ]);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit')).toMatch(/^"user";r=0;t=\d+$/);
    expect(refused.headers.get('ratelimit-policy')).toBe(first.headers.get('ratelimit-policy'));
  });

  it('counts each user and each partner client separately', async () => {
    const bob = await server.token('acme', { userId: 'bob' });
    const carol = await server.token('acme', { userId: 'carol' });
    const registry = LocalClientRegistry.open(server.dataDir);
    registry.addPartner({ clientId: 'erp-client', tenantId: 'acme' });
    registry.addPartner({ clientId: 'forms-client', tenantId: 'acme' });
    const erp = await server.token('acme', { userId: undefined, clientId: 'erp-client', roles: undefined, scopes: ['crm/customers.read'] });
    const forms = await server.token('acme', { userId: undefined, clientId: 'forms-client', roles: undefined, scopes: ['crm/customers.read'] });

    for (let i = 0; i < 3; i++) expect((await server.call('GET', '/v1/customers', { token: bob })).status).not.toBe(429);
    const bobRefused = await server.call('GET', '/v1/customers', { token: bob });
    const carolAllowed = await server.call('GET', '/v1/customers', { token: carol });

    const erpStatuses = [];
    for (let i = 0; i < 3; i++) erpStatuses.push((await server.call('GET', '/v1/customers', { token: erp })).status);
    const formsAllowed = await server.call('GET', '/v1/customers', { token: forms });

    expect(bobRefused.status).toBe(429);
    expect(carolAllowed.status).not.toBe(429);
    expect(carolAllowed.headers.get('ratelimit')).toMatch(/^"user";r=2;/);
    expect(erpStatuses[0]).not.toBe(429);
    expect(erpStatuses[2]).toBe(429);
    expect(formsAllowed.status).not.toBe(429);
    expect(formsAllowed.headers.get('ratelimit-policy')).toBe('"partnerClient";q=2;w=2000, "tenant";q=100;w=100000');
  });

  it('counts public routes per IP', async () => {
    const first = await server.call('GET', '/openapi.json');
    const second = await server.call('GET', '/openapi.json');
    const third = await server.call('GET', '/docs');

    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    expect(first.headers.get('ratelimit-policy')).toBe('"publicIp";q=2;w=2000');
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(third.body).toMatchObject({ code: 'rate_limited' });
  });
});
