import {
  rateLimitHeader,
  rateLimitPolicyHeader,
  type RateLimitPrincipal,
  type RateLimits,
  type TokenBucketLimit,
} from '@crm/manifest';

/** Who a request is counted against; built by the server from verified claims or the socket. */
export interface RateLimitSubject {
  principal: RateLimitPrincipal;
  /** Client id, `<tenant>/<subject>` or IP address. */
  id: string;
  /** Set for token-bearing requests: they also count against the tenant's shared bucket. */
  tenantId?: string;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Response headers for every answer, allowed or not. */
  headers: { 'ratelimit-policy': string; ratelimit: string };
  /** Whole seconds until one request would be allowed again; only when refused. */
  retryAfterSeconds?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Buckets kept before idle (full) ones are swept; bounds memory under many distinct IPs. */
const SWEEP_THRESHOLD = 10_000;

/**
 * The local server's limiter: an in-memory token bucket per principal (user, partner client, or IP
 * on public routes) plus one per tenant, with the numbers of `RATE_LIMITS` in @crm/manifest, so a
 * client sees locally the limits API Gateway and WAF apply in AWS (docs/adr/0007).
 *
 * Headers follow draft-ietf-httpapi-ratelimit-headers-08+ (structured fields): `RateLimit-Policy`
 * lists the principal's policy and the tenant's; `RateLimit` reports whichever is closer to refusal.
 * A refused request consumes nothing, so a client that backs off by `Retry-After` gets through.
 */
export class TokenBucketRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: RateLimits,
    /** Milliseconds; injectable so unit tests control refill without waiting. */
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  check(subject: RateLimitSubject): RateLimitDecision {
    const now = this.nowMs();
    if (this.buckets.size > SWEEP_THRESHOLD) this.sweep(now);
    const checks: Array<{ name: string; key: string; limit: TokenBucketLimit }> = [
      { name: subject.principal, key: `${subject.principal}:${subject.id}`, limit: this.limits[subject.principal] },
    ];
    if (subject.tenantId !== undefined) {
      checks.push({ name: 'tenant', key: `tenant:${subject.tenantId}`, limit: this.limits.tenant });
    }
    const states = checks.map((check) => ({ ...check, bucket: this.refill(check.key, check.limit, now) }));
    const allowed = states.every((state) => state.bucket.tokens >= 1);
    if (allowed) for (const state of states) state.bucket.tokens -= 1;

    // The bucket that runs out first decides what the client is told.
    const tightest = states.reduce((a, b) => (b.bucket.tokens / b.limit.burst < a.bucket.tokens / a.limit.burst ? b : a));
    const policy = states.map((state) => rateLimitPolicyHeader(state.limit, state.name)).join(', ');
    if (allowed) {
      const secondsToFull = (tightest.limit.burst - tightest.bucket.tokens) / tightest.limit.ratePerSecond;
      return { allowed, headers: { 'ratelimit-policy': policy, ratelimit: rateLimitHeader(tightest.bucket.tokens, secondsToFull, tightest.name) } };
    }
    const blocking = states.filter((state) => state.bucket.tokens < 1);
    const retryAfterSeconds = Math.max(
      1,
      ...blocking.map((state) => Math.ceil((1 - state.bucket.tokens) / state.limit.ratePerSecond)),
    );
    const blocker = blocking[0]!;
    return {
      allowed,
      headers: { 'ratelimit-policy': policy, ratelimit: rateLimitHeader(0, retryAfterSeconds, blocker.name) },
      retryAfterSeconds,
    };
  }

  private refill(key: string, limit: TokenBucketLimit, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limit.burst, updatedMs: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsedSeconds = Math.max(0, now - bucket.updatedMs) / 1000;
    bucket.tokens = Math.min(limit.burst, bucket.tokens + elapsedSeconds * limit.ratePerSecond);
    bucket.updatedMs = now;
    return bucket;
  }

  /** Drops buckets that have refilled completely: forgetting them changes no decision. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const principal = key.slice(0, key.indexOf(':')) as RateLimitPrincipal | 'tenant';
      const limit = this.limits[principal];
      if (bucket.tokens + ((now - bucket.updatedMs) / 1000) * limit.ratePerSecond >= limit.burst) this.buckets.delete(key);
    }
  }
}
