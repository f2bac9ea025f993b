import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, standardWebhookSignature, verifyStandardWebhook, webhookSignatureHeader } from '@crm/core';

// The example of the Standard Webhooks spec / reference libraries.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const EXPECTED = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

describe('standardWebhookSignature', () => {
  it('matches the Standard Webhooks test vector', () => {
    expect(standardWebhookSignature(SECRET, ID, TIMESTAMP, BODY)).toBe(EXPECTED);
  });

  it('changes with any of id, timestamp and body', () => {
    expect(standardWebhookSignature(SECRET, `${ID}x`, TIMESTAMP, BODY)).not.toBe(EXPECTED);
    expect(standardWebhookSignature(SECRET, ID, TIMESTAMP + 1, BODY)).not.toBe(EXPECTED);
    expect(standardWebhookSignature(SECRET, ID, TIMESTAMP, `${BODY} `)).not.toBe(EXPECTED);
  });

  it('signs with every secret during a rotation, space-separated, and either one verifies', () => {
    const next = generateWebhookSecret();
    const header = webhookSignatureHeader([next, SECRET], ID, TIMESTAMP, BODY);
    expect(header.split(' ')).toEqual([standardWebhookSignature(next, ID, TIMESTAMP, BODY), EXPECTED]);
    const headers = { id: ID, timestamp: String(TIMESTAMP), signature: header };
    expect(verifyStandardWebhook(SECRET, headers, BODY, TIMESTAMP)).toBe(true);
    expect(verifyStandardWebhook(next, headers, BODY, TIMESTAMP)).toBe(true);
    expect(verifyStandardWebhook(generateWebhookSecret(), headers, BODY, TIMESTAMP)).toBe(false);
  });

  it('refuses stale timestamps when verifying', () => {
    const headers = { id: ID, timestamp: String(TIMESTAMP), signature: EXPECTED };
    expect(verifyStandardWebhook(SECRET, headers, BODY, TIMESTAMP + 301)).toBe(false);
    expect(verifyStandardWebhook(SECRET, headers, BODY, TIMESTAMP + 299)).toBe(true);
  });

  it('generates whsec_ secrets of 32 random bytes', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });
});
