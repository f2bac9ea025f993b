/**
 * The local token-bucket limiter with a controlled clock, and the configuration that overrides its
 * limits. The numbers it defaults to are the shared RATE_LIMITS that the CDK app uses too.
 */
import { LocalConfig } from '@crm/local-runtime';
import { RATE_LIMITS, rateLimitHeader, rateLimitPolicyHeader } from '@crm/manifest';
import { describe, expect, it } from 'vitest';
import { TokenBucketRateLimiter } from '../../../packages/local-runtime/src/rate-limiter';

const limits = {
  user: { ratePerSecond: 1, burst: 2 },
  partnerClient: { ratePerSecond: 1, burst: 1 },
  publicIp: { ratePerSecond: 1, burst: 1 },
  tenant: { ratePerSecond: 10, burst: 3 },
};

function limiter() {
  let now = 0;
  const instance = new TokenBucketRateLimiter(limits, () => now);
  return { instance, advance: (ms: number) => (now += ms) };
}

describe('TokenBucketRateLimiter', () => {
  it('allows the burst, refuses the next with Retry-After, and refills with time', () => {
    const { instance, advance } = limiter();
    const alice = { principal: 'user' as const, id: 'acme/alice', tenantId: 'acme' };

    const decisions = [instance.check(alice), instance.check(alice), instance.check(alice)];
    advance(999);
    const stillRefused = instance.check(alice);
    advance(1);
    const refilled = instance.check(alice);

    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(decisions[0]!.headers).toEqual({ 'ratelimit-policy': '"user";q=2;w=2, "tenant";q=3;w=1', ratelimit: '"user";r=1;t=1' });
    expect(decisions[2]).toMatchObject({ retryAfterSeconds: 1, headers: { ratelimit: '"user";r=0;t=1' } });
    expect(stillRefused.allowed).toBe(false);
    expect(refilled.allowed).toBe(true);
  });

  it('shares the tenant bucket between principals and reports the tighter one', () => {
    const { instance } = limiter();
    const user = (id: string) => ({ principal: 'user' as const, id: `acme/${id}`, tenantId: 'acme' });

    instance.check(user('a'));
    instance.check(user('b'));
    const third = instance.check(user('c'));
    const fourth = instance.check(user('d'));
    const otherTenant = instance.check({ principal: 'user', id: 'globex/a', tenantId: 'globex' });

    expect(third).toMatchObject({ allowed: true, headers: { ratelimit: '"tenant";r=0;t=1' } });
    expect(fourth).toMatchObject({ allowed: false, headers: { ratelimit: '"tenant";r=0;t=1' } });
    expect(otherTenant.allowed).toBe(true);
  });

  it('does not charge a refused request, so the other buckets keep their tokens', () => {
    const { instance } = limiter();
    const erp = { principal: 'partnerClient' as const, id: 'erp', tenantId: 'acme' };

    instance.check(erp);
    instance.check(erp); // refused by the client bucket
    instance.check(erp); // refused again
    const user = instance.check({ principal: 'user', id: 'acme/alice', tenantId: 'acme' });

    expect(user.headers.ratelimit).toBe('"tenant";r=1;t=1');
  });
});

describe('rate limit header syntax (draft-ietf-httpapi-ratelimit-headers-08+)', () => {
  it('renders structured-field policy and limit items', () => {
    expect(rateLimitPolicyHeader({ ratePerSecond: 100, burst: 200 })).toBe('"default";q=200;w=2');
    expect(rateLimitHeader(41.7, 0.2)).toBe('"default";r=41;t=1');
  });
});

describe('LocalConfig rate limit overrides', () => {
  it('defaults to the product limits AWS enforces', () => {
    const config = LocalConfig.parse({});
    expect([config.CRM_RATE_LIMIT_USER, config.CRM_RATE_LIMIT_CLIENT, config.CRM_RATE_LIMIT_PUBLIC, config.CRM_RATE_LIMIT_TENANT]).toEqual([
      RATE_LIMITS.user,
      RATE_LIMITS.partnerClient,
      RATE_LIMITS.publicIp,
      RATE_LIMITS.tenant,
    ]);
  });

  it('parses <rate>/<burst> and rejects anything else', () => {
    expect(LocalConfig.parse({ CRM_RATE_LIMIT_USER: '0.5/3' }).CRM_RATE_LIMIT_USER).toEqual({ ratePerSecond: 0.5, burst: 3 });
    for (const bad of ['100', 'abc/2', '0/2', '1/0', '-1/2']) {
      expect(LocalConfig.safeParse({ CRM_RATE_LIMIT_USER: bad }).success, bad).toBe(false);
    }
  });
});
