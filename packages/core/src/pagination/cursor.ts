import { createHash } from 'node:crypto';
import { AppError } from '../errors';

/**
 * Opaque pagination cursors. A cursor is bound to the tenant and to the exact filter set of the
 * query that produced it, and every key value in it must lie in that tenant's key space, so a cursor
 * can neither be replayed by another tenant nor steer a query into another tenant's partitions.
 */
interface CursorBody {
  v: 1;
  t: string;
  q: string;
  k: Record<string, string>;
}

/** Stable fingerprint of a query's filters (order-insensitive). */
export function queryFingerprint(filters: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.keys(filters).sort().map((k) => [k, filters[k] ?? null]));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeCursor(tenantId: string, fingerprint: string, lastKey: Record<string, string>): string {
  const body: CursorBody = { v: 1, t: tenantId, q: fingerprint, k: lastKey };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/**
 * Decodes and validates a cursor; throws `invalid_cursor` (400) for anything not issued for this
 * tenant and query.
 */
export function decodeCursor(
  cursor: string,
  tenantId: string,
  fingerprint: string,
  isTenantKey: (value: string) => boolean,
): Record<string, string> {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!isCursorBody(body) || body.t !== tenantId || body.q !== fingerprint) throw invalid();
  for (const [attribute, value] of Object.entries(body.k)) {
    if (attribute.endsWith('pk') && !isTenantKey(value)) throw invalid();
  }
  return body.k;
}

function isCursorBody(x: unknown): x is CursorBody {
  if (typeof x !== 'object' || x === null) return false;
  const b = x as Record<string, unknown>;
  if (b.v !== 1 || typeof b.t !== 'string' || typeof b.q !== 'string') return false;
  if (typeof b.k !== 'object' || b.k === null || Array.isArray(b.k)) return false;
  const entries = Object.entries(b.k as Record<string, unknown>);
  return entries.length > 0 && entries.length <= 6 && entries.every(([, v]) => typeof v === 'string' && v.length <= 1024);
}

function invalid(): AppError {
  return new AppError('invalid_cursor', 'The "after" cursor was not issued for this query; start again without it', {
    errors: [{ path: 'query.after', message: 'unknown or foreign cursor' }],
  });
}
