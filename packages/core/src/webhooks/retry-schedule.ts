/**
 * Delays before the 2nd, 3rd, ... attempt of a failed delivery (seconds): nine attempts over about
 * 21 hours. After the last one fails the delivery is `dead` (kept, listable and replayable).
 */
export const WEBHOOK_RETRY_SCHEDULE_SECONDS = [5, 30, 120, 600, 1800, 7200, 21_600, 43_200] as const;

/** Most attempts of one delivery: the first plus one per scheduled retry. */
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_SCHEDULE_SECONDS.length + 1;

/** The longest `Retry-After` honoured (a receiver cannot park a delivery for longer than this). */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/**
 * Milliseconds to wait after failed attempt number `attempt` (1-based), or undefined when the
 * schedule is exhausted. Exponential-ish steps with ±20 % jitter (`random` in [0, 1)) so that
 * endpoints failing together are not retried in lock-step; a `Retry-After` longer than the step
 * wins (capped at a day).
 */
export function nextRetryDelayMs(attempt: number, random: number, retryAfterMs?: number): number | undefined {
  const step = WEBHOOK_RETRY_SCHEDULE_SECONDS[attempt - 1];
  if (step === undefined) return undefined;
  const jittered = Math.round(step * 1000 * (0.8 + 0.4 * random));
  const honoured = Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_SECONDS * 1000);
  return Math.max(jittered, honoured);
}

/**
 * A `Retry-After` header in milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110
 * §10.2.3). Undefined when absent or malformed; a past date is 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
