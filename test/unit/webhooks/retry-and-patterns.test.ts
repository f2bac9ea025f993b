import { describe, expect, it } from 'vitest';
import {
  eventMatchesAny, eventMatchesPattern, isValidEventPattern, nextRetryDelayMs, parseRetryAfter,
  WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_SCHEDULE_SECONDS, webhookDeliveryId,
} from '@crm/core';

describe('nextRetryDelayMs', () => {
  it('follows the schedule with ±20 % jitter and ends after the last step', () => {
    expect(WEBHOOK_MAX_ATTEMPTS).toBe(9);
    expect(nextRetryDelayMs(1, 0.5)).toBe(5000);
    expect(nextRetryDelayMs(1, 0)).toBe(4000);
    expect(nextRetryDelayMs(1, 0.999999)).toBe(6000);
    expect(nextRetryDelayMs(2, 0.5)).toBe(30_000);
    expect(nextRetryDelayMs(8, 0.5)).toBe(43_200_000);
    expect(nextRetryDelayMs(9, 0.5)).toBeUndefined();
    const steps = WEBHOOK_RETRY_SCHEDULE_SECONDS.map((_, i) => nextRetryDelayMs(i + 1, 0.5)!);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  it('honours a longer Retry-After, capped at a day, never a shorter one', () => {
    expect(nextRetryDelayMs(1, 0.5, 60_000)).toBe(60_000);
    expect(nextRetryDelayMs(2, 0.5, 1000)).toBe(30_000);
    expect(nextRetryDelayMs(1, 0.5, 10 * 86_400_000)).toBe(86_400_000);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-25T10:00:00Z');
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent or malformed values', () => {
    for (const value of [null, undefined, '', '-5', '1.5', 'soon-ish', '12abc']) expect(parseRetryAfter(value, now), String(value)).toBeUndefined();
  });
});

describe('event patterns', () => {
  it('accepts catalogue types, <entity>.* of a publishing entity and *', () => {
    for (const p of ['customer.created', 'interaction.flagged', 'customer.*', 'interaction.*', '*']) expect(isValidEventPattern(p), p).toBe(true);
    for (const p of ['customer.exploded', 'invoice.*', 'customer.**', 'customer*', '*.created', '', 'Customer.created']) expect(isValidEventPattern(p), p).toBe(false);
  });
  it('matches exact types and prefixes', () => {
    expect(eventMatchesPattern('customer.created', 'customer.*')).toBe(true);
    expect(eventMatchesPattern('interaction.recorded', 'customer.*')).toBe(false);
    expect(eventMatchesPattern('customer.created', 'customer.created')).toBe(true);
    expect(eventMatchesPattern('customer.updated', 'customer.created')).toBe(false);
    expect(eventMatchesAny('interaction.flagged', ['customer.created', 'interaction.*'])).toBe(true);
    expect(eventMatchesAny('customer.deleted', ['*'])).toBe(true);
    expect(eventMatchesAny('customer.deleted', ['customer.created'])).toBe(false);
  });
});

describe('webhookDeliveryId', () => {
  it('is a ULID-shaped id, stable per (event, subscription) and time-ordered', () => {
    const a = webhookDeliveryId('e1', '2026-11-25T10:00:00.000Z', 'S1');
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(webhookDeliveryId('e1', '2026-11-25T10:00:00.000Z', 'S1')).toBe(a);
    expect(webhookDeliveryId('e1', '2026-11-25T10:00:00.000Z', 'S2')).not.toBe(a);
    expect(webhookDeliveryId('e2', '2026-11-25T10:00:01.000Z', 'S1') > a).toBe(true);
  });
});
