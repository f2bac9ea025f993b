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

/**
 * Object Lock retention of one object: until `retainUntil` it cannot be deleted or overwritten
 * (GOVERNANCE: except by a principal allowed to bypass it; COMPLIANCE: by nobody).
 */
export interface BlobRetention {
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** ISO 8601 instant. */
  retainUntil: string;
}

/** Thrown by a blob store that refuses to delete an object still under retention. */
export class BlobRetentionError extends Error {
  override readonly name = 'BlobRetentionError';
  constructor(readonly key: string, readonly retainUntil: string) {
    super(`Object ${key} is under retention until ${retainUntil} and cannot be deleted before then`);
  }
}

/** A request a client can make without credentials of its own, until `expiresAt`. */
export interface PresignedRequest {
  /** Absolute (S3) or origin-relative (local server: resolve against the API's origin) URL. */
  url: string;
  method: 'PUT' | 'GET';
  /** Headers the client must send exactly as given (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: string;
}

/**
 * Blob store for bulk transfers (import uploads, error reports, exports): streamed reads from a byte
 * offset (resumable parsing), streamed writes (never a whole file in memory) and presigned URLs so
 * clients move the bytes directly, not through a 10 MB API Gateway request. S3 in AWS (its own bucket
 * with lifecycle expiry, not the audit archive), the local blob folder served by the local server.
 */
export interface BlobTransferStore extends BlobStore {
  /** The object's bytes from `start` (default 0) as a stream, or undefined when there is none. */
  openRead(key: string, options?: { start?: number }): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** The object's size in bytes, or undefined when there is none. */
  size(key: string): Promise<number | undefined>;
  /** Creates or replaces the object from a stream, holding only a bounded part of it in memory. */
  putStream(key: string, body: AsyncIterable<Uint8Array>, contentType: string): Promise<void>;
  /** Deletes the object (no error when absent). */
  delete(key: string): Promise<void>;
  /**
   * A PUT the client sends the object's bytes with (`headers` include the content type). With
   * `contentMd5` (base64 MD5 of the bytes) the digest is signed too, so S3 stores only those exact
   * bytes; buckets with Object Lock default retention refuse PUTs without it (S3 only; the local
   * store ignores it).
   *
   * With `retention` the object is locked until that instant (S3: signed `x-amz-object-lock-mode` and
   * `x-amz-object-lock-retain-until-date` headers, which override the bucket's default retention;
   * locally: recorded next to the object, and `delete` refuses it before then). The returned
   * `headers` then include the lock headers the client must send.
   */
  presignUpload(key: string, options: { contentType: string; expiresInSeconds: number; contentMd5?: string; retention?: BlobRetention }): Promise<PresignedRequest>;
  /** A GET that downloads the object, as an attachment named `filename` when given. */
  presignDownload(key: string, options: { expiresInSeconds: number; filename?: string }): Promise<PresignedRequest>;
}

/** Presigned URLs live at most 7 days (SigV4's limit); shorter is better. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;

export function assertPresignExpiry(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) throw new RangeError(`Presigned URL expiry must be 1..${MAX_PRESIGN_SECONDS} s`);
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
