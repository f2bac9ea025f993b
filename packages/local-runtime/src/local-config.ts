import * as z from 'zod';
import { resolve } from 'node:path';
import { RATE_LIMITS, type TokenBucketLimit } from '@crm/manifest';

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

/**
 * A token bucket override `<requests per second>/<burst>`, e.g. `100/200` or `0.001/2` (tests use
 * tiny limits). Unset means the product limit from RATE_LIMITS, the same one AWS applies.
 */
function bucketOverride(fallback: TokenBucketLimit) {
  return z
    .string()
    .regex(/^\d+(\.\d+)?\/\d+$/, 'expected <requests per second>/<burst>, e.g. 100/200')
    .transform((value, ctx): TokenBucketLimit => {
      const [rate, burst] = value.split('/').map(Number) as [number, number];
      if (!(rate > 0) || !(burst >= 1)) ctx.addIssue({ code: 'custom', message: 'rate must be > 0 and burst >= 1' });
      return { ratePerSecond: rate, burst };
    })
    .optional()
    .transform((limit) => limit ?? fallback);
}

/** Local runtime configuration, validated at start-up. Only loopback hosts are allowed. */
export const LocalConfig = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().refine((h) => LOOPBACK.includes(h), 'HOST must be a loopback address (127.0.0.1, ::1, localhost)').default('127.0.0.1'),
  CRM_DATA_DIR: z.string().min(1).default('.crm').transform((p) => resolve(p)),
  POWERTOOLS_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL', 'TRACE']).default('WARN'),
  /** How often the local TTL sweeper deletes expired items (DynamoDB's TTL process does it within days). */
  CRM_TTL_SWEEP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /**
   * Where the stream consumers run: `worker` (default) — a worker thread with its own SQLite
   * connection, as Lambda runs consumers apart from the API; `in-process` — on the server's own
   * event loop (the test suite: cheaper to start, one thread to debug).
   */
  CRM_CHANGE_FEED: z.enum(['worker', 'in-process']).default('worker'),
  /** Per user (tenant + subject). */
  CRM_RATE_LIMIT_USER: bucketOverride(RATE_LIMITS.user),
  /** Per partner client (client-credentials token). */
  CRM_RATE_LIMIT_CLIENT: bucketOverride(RATE_LIMITS.partnerClient),
  /** Per source IP on public routes. */
  CRM_RATE_LIMIT_PUBLIC: bucketOverride(RATE_LIMITS.publicIp),
  /** Per tenant, all principals together. */
  CRM_RATE_LIMIT_TENANT: bucketOverride(RATE_LIMITS.tenant),
});
export type LocalConfig = z.infer<typeof LocalConfig>;
