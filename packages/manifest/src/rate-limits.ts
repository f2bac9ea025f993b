/**
 * Request rate limits, defined once for both runtimes: the CDK app derives the API Gateway usage
 * plan and the WAF rate-based rules from these numbers, the local server (packages/local-runtime)
 * enforces them with a token bucket and answers with the same 429 problem and headers.
 * Why these layers exist and where each one counts is written down in docs/adr/0007-rate-limits-and-waf.md.
 */

/** A token bucket: `ratePerSecond` tokens refill every second, at most `burst` are saved up. */
export interface TokenBucketLimit {
  ratePerSecond: number;
  burst: number;
}

/** Who a request is counted against (first match wins: a token's client or user, else the caller's IP). */
export type RateLimitPrincipal = 'user' | 'partnerClient' | 'publicIp';

export interface RateLimits {
  /** Per signed-in user (tenant + subject of a user access token). */
  user: TokenBucketLimit;
  /** Per partner app client (`client_id` of a client-credentials token). */
  partnerClient: TokenBucketLimit;
  /** Per source IP on public routes (docs, OpenAPI document). */
  publicIp: TokenBucketLimit;
  /** All principals of one tenant together, so one tenant cannot starve the others. */
  tenant: TokenBucketLimit;
}

/**
 * The product limits. Users get more than partner clients because a UI fans out several calls per
 * screen; partners integrate in batches and have the batch endpoints.
 */
export const RATE_LIMITS: RateLimits = {
  user: { ratePerSecond: 100, burst: 200 },
  partnerClient: { ratePerSecond: 50, burst: 100 },
  publicIp: { ratePerSecond: 20, burst: 50 },
  tenant: { ratePerSecond: 1000, burst: 2000 },
};

/**
 * WAF rate-based rules count requests over a sliding window (60 s is the shortest WAF supports)
 * and act as a coarse, earlier line than the per-principal buckets: they stop floods before they
 * reach the authorizer or cost a Lambda invocation. They are set at twice the sustained rate of
 * the matching bucket so a client within its limit never sees a WAF block.
 */
export const WAF_EVALUATION_WINDOW_SECONDS = 60;

export function wafLimitPerWindow(limit: TokenBucketLimit, windowSeconds = WAF_EVALUATION_WINDOW_SECONDS): number {
  return Math.max(10, Math.ceil(limit.ratePerSecond * windowSeconds * 2));
}

/** WAF rate-based rule limits per window: per IP (any route), per Authorization header value. */
export const WAF_RATE_LIMITS = {
  /** An IP may host many users (a company NAT), so the per-IP rule allows a whole tenant's rate. */
  perIp: wafLimitPerWindow(RATE_LIMITS.tenant),
  /** One bearer token is one user or one partner client: the larger of the two limits. */
  perAuthorization: wafLimitPerWindow(RATE_LIMITS.user),
} as const;

/** Name of the one policy in `RateLimit-Policy` / `RateLimit` headers (draft-ietf-httpapi-ratelimit-headers-08+). */
export const RATE_LIMIT_POLICY_NAME = 'default';

/**
 * `RateLimit-Policy` header value of a bucket in the structured-field syntax of
 * draft-ietf-httpapi-ratelimit-headers-08 and later: quota `q` requests per window `w` seconds.
 * A bucket refilling `ratePerSecond` with capacity `burst` is advertised as its burst per
 * `burst / ratePerSecond` seconds (the time an empty bucket needs to fill).
 */
export function rateLimitPolicyHeader(limit: TokenBucketLimit, name = RATE_LIMIT_POLICY_NAME): string {
  return `"${name}";q=${limit.burst};w=${Math.max(1, Math.ceil(limit.burst / limit.ratePerSecond))}`;
}

/** `RateLimit` header value: `r` requests remaining, `t` seconds until the quota is available again. */
export function rateLimitHeader(remaining: number, resetSeconds: number, name = RATE_LIMIT_POLICY_NAME): string {
  return `"${name}";r=${Math.max(0, Math.floor(remaining))};t=${Math.max(0, Math.ceil(resetSeconds))}`;
}
