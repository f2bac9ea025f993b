/**
 * Blob-store port: objects under slash-separated keys. S3 in AWS (SSE-KMS, Object Lock on the audit
 * archive), a folder locally with the same key layout. Keys are relative paths of
 * `[A-Za-z0-9._=-]` segments (Hive-style `tenant=<t>/date=<d>/` partitions included).
 */
export interface BlobStore {
  /** Creates or replaces the object (on a versioned/locked bucket a replace adds a version). */
  put(key: string, body: Buffer | string, contentType: string): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  /** Every key under `prefix` (which ends in `/` or is empty), sorted. */
  list(prefix: string): Promise<string[]>;
}

const SEGMENT = /^[A-Za-z0-9._=-]+$/;

/** Throws unless `key` is a relative key of safe segments (no `..`, no leading or doubled `/`). */
export function assertBlobKey(key: string): void {
  const segments = key.split('/');
  if (key.length === 0 || key.length > 1024 || segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..')) {
    throw new RangeError(`Invalid blob key "${key}"`);
  }
}

/** Throws unless `prefix` is empty or a sequence of safe segments ending in `/`. */
export function assertBlobPrefix(prefix: string): void {
  if (prefix === '') return;
  if (!prefix.endsWith('/')) throw new RangeError(`Blob prefix "${prefix}" must end with /`);
  assertBlobKey(prefix.slice(0, -1));
}
