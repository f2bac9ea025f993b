import { describe, expect, it } from 'vitest';
import { AppError, belongsToTenant, decodeCursor, encodeCursor, queryFingerprint } from '@crm/core';

const isAcme = (v: string) => belongsToTenant('acme', v);

describe('pagination cursor', () => {
  const fp = queryFingerprint({ tag: 'vip', kind: undefined });
  const key = { pk: 'T#acme#C#1', sk: 'PROFILE', gsi1pk: 'T#acme#CUST', gsi1sk: 'a#1' };

  it('round-trips for the same tenant and query', () => {
    expect(decodeCursor(encodeCursor('acme', fp, key), 'acme', fp, isAcme)).toEqual(key);
  });

  it('fingerprints are order-insensitive and filter-sensitive', () => {
    expect(queryFingerprint({ a: 1, b: 2 })).toBe(queryFingerprint({ b: 2, a: 1 }));
    expect(queryFingerprint({ a: 1 })).not.toBe(queryFingerprint({ a: 2 }));
  });

  const rejects = (cursor: string, tenant = 'acme', fingerprint = fp) => {
    try {
      decodeCursor(cursor, tenant, fingerprint, (v) => belongsToTenant(tenant, v));
    } catch (e) {
      return e instanceof AppError && e.code === 'invalid_cursor' && e.status === 400;
    }
    return false;
  };

  it('rejects another tenant, another query, garbage and foreign keys', () => {
    const cursor = encodeCursor('acme', fp, key);
    expect(rejects(cursor, 'globex')).toBe(true);
    expect(rejects(cursor, 'acme', queryFingerprint({ tag: 'other' }))).toBe(true);
    expect(rejects('not-a-cursor')).toBe(true);
    expect(rejects(Buffer.from('{"v":1}').toString('base64url'))).toBe(true);
    // Forged: claims tenant acme but points into globex's partition.
    expect(rejects(encodeCursor('acme', fp, { pk: 'T#globex#C#1', sk: 'PROFILE' }))).toBe(true);
  });
});
