import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { assertBlobKey, assertBlobPrefix, assertPresignExpiry, BlobRetentionError, type BlobRetention, type BlobTransferStore, type PresignedRequest } from '@crm/core';

export interface LocalBlobStoreOptions {
  /**
   * HMAC-SHA256 key of presigned URLs (generated once per data folder by the local runtime).
   * Without it the store still reads and writes, but cannot presign.
   */
  urlSigningKey?: Buffer;
  /** Path under which the local server serves presigned requests (default `/_blobs`). */
  urlPath?: string;
  /** Now, for URL expiry (tests inject a fixed clock). */
  now?: () => Date;
}

/** What a verified presigned request allows. */
export interface SignedBlobRequest {
  method: 'PUT' | 'GET';
  key: string;
  contentType?: string;
  filename?: string;
  /** Object Lock retention the upload must carry (signed; the client sends it as the x-amz-object-lock-* headers). */
  retention?: BlobRetention;
}

/**
 * Retention of a key is recorded in `<file>#retention` (JSON). `#` never occurs in a key
 * (assertBlobKey), so the record can neither clash with an object nor be listed as one.
 */
const RETENTION_SUFFIX = '#retention';

export const DEFAULT_BLOB_URL_PATH = '/_blobs';

/**
 * The local blob store: one file per key under a root folder, with the same key layout as the S3
 * bucket (`audit/tenant=<t>/date=<d>/...` becomes `<root>/audit/tenant=<t>/date=<d>/...`). Writes go
 * to a temporary file first and are renamed into place, so a reader never sees half an object.
 * Presigned URLs are origin-relative paths on the local server, signed with an HMAC key (the local
 * stand-in for SigV4 query signing); `verifySignedUrl` checks them. An upload URL may sign an Object
 * Lock retention: the local server records it beside the blob and `delete` refuses the blob until
 * then (BlobRetentionError), as a locked S3 object version cannot be deleted.
 */
export class LocalBlobStore implements BlobTransferStore {
  private readonly root: string;
  private readonly urlSigningKey: Buffer | undefined;
  private readonly urlPath: string;
  private readonly now: () => Date;

  constructor(root: string, options: LocalBlobStoreOptions = {}) {
    this.root = resolve(root);
    this.urlSigningKey = options.urlSigningKey;
    this.urlPath = options.urlPath ?? DEFAULT_BLOB_URL_PATH;
    this.now = options.now ?? (() => new Date());
  }

  async put(key: string, body: Buffer | string, _contentType: string): Promise<void> {
    const file = this.fileOf(key);
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, file);
  }

  /**
   * With `retention` (a presigned upload that carried one) the retain-until instant is recorded next
   * to the object; a later upload can extend it, never shorten it (as S3 GOVERNANCE without bypass).
   */
  async putStream(key: string, body: AsyncIterable<Uint8Array>, _contentType: string, options: { retention?: BlobRetention } = {}): Promise<void> {
    const file = this.fileOf(key);
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${randomUUID()}.tmp`;
    try {
      await pipeline(Readable.from(body), createWriteStream(temporary));
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    if (options.retention) await this.recordRetention(key, options.retention);
  }

  /** The retention recorded for a key (undefined when none). */
  async retentionOf(key: string): Promise<BlobRetention | undefined> {
    try {
      return JSON.parse(await readFile(`${this.fileOf(key)}${RETENTION_SUFFIX}`, 'utf8')) as BlobRetention;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private async recordRetention(key: string, retention: BlobRetention): Promise<void> {
    const current = await this.retentionOf(key);
    if (current && Date.parse(current.retainUntil) >= Date.parse(retention.retainUntil)) return;
    const file = `${this.fileOf(key)}${RETENTION_SUFFIX}`;
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, JSON.stringify({ mode: retention.mode, retainUntil: new Date(retention.retainUntil).toISOString() }));
    await rename(temporary, file);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.fileOf(key));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async openRead(key: string, options: { start?: number } = {}): Promise<AsyncIterable<Uint8Array> | undefined> {
    const file = this.fileOf(key);
    const size = await this.size(key);
    if (size === undefined) return undefined;
    const start = options.start ?? 0;
    if (start >= size) return (async function* () {})();
    return createReadStream(file, { start, highWaterMark: 64 * 1024 });
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const info = await stat(this.fileOf(key));
      return info.isFile() ? info.size : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Deletes the object; throws BlobRetentionError while a recorded retention (either mode) has not passed. */
  async delete(key: string): Promise<void> {
    const retention = await this.retentionOf(key);
    if (retention && Date.parse(retention.retainUntil) > this.now().getTime()) throw new BlobRetentionError(key, retention.retainUntil);
    await rm(this.fileOf(key), { force: true });
    await rm(`${this.fileOf(key)}${RETENTION_SUFFIX}`, { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    assertBlobPrefix(prefix);
    const dir = join(this.root, ...prefix.split('/').filter(Boolean));
    const keys: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile() && !entry.name.endsWith('.tmp') && !entry.name.includes('#')) keys.push(relative(this.root, path).split(sep).join('/'));
      }
    };
    await walk(dir);
    return keys.sort();
  }

  async presignUpload(key: string, options: { contentType: string; expiresInSeconds: number; retention?: BlobRetention }): Promise<PresignedRequest> {
    const retention = options.retention ? { mode: options.retention.mode, retainUntil: new Date(options.retention.retainUntil).toISOString() } : undefined;
    return this.presign({ method: 'PUT', key, contentType: options.contentType, ...(retention ? { retention } : {}) }, options.expiresInSeconds);
  }

  async presignDownload(key: string, options: { expiresInSeconds: number; filename?: string }): Promise<PresignedRequest> {
    return this.presign({ method: 'GET', key, ...(options.filename ? { filename: options.filename } : {}) }, options.expiresInSeconds);
  }

  /**
   * The request a presigned URL allows, or undefined when its signature is wrong, it has expired or
   * it is used with another method. `pathAndQuery` is the request target (`/_blobs/<key>?...`).
   */
  verifySignedUrl(method: string, pathAndQuery: string): SignedBlobRequest | undefined {
    if (!this.urlSigningKey) return undefined;
    const url = new URL(pathAndQuery, 'http://local');
    if (!url.pathname.startsWith(`${this.urlPath}/`)) return undefined;
    const key = decodeURIComponent(url.pathname.slice(this.urlPath.length + 1));
    const exp = url.searchParams.get('exp') ?? '';
    const sig = url.searchParams.get('sig') ?? '';
    const contentType = url.searchParams.get('ct') ?? undefined;
    const filename = url.searchParams.get('fn') ?? undefined;
    const lockMode = url.searchParams.get('lm');
    const lockUntil = url.searchParams.get('lu');
    const upper = method.toUpperCase();
    if ((upper !== 'PUT' && upper !== 'GET') || !/^\d{1,12}$/.test(exp) || Number(exp) * 1000 < this.now().getTime()) return undefined;
    try {
      assertBlobKey(key);
    } catch {
      return undefined;
    }
    if ((lockMode !== null || lockUntil !== null) && ((lockMode !== 'GOVERNANCE' && lockMode !== 'COMPLIANCE') || !lockUntil || Number.isNaN(Date.parse(lockUntil)))) return undefined;
    const request: SignedBlobRequest = {
      method: upper, key, ...(contentType ? { contentType } : {}), ...(filename ? { filename } : {}),
      ...(lockMode && lockUntil ? { retention: { mode: lockMode as BlobRetention['mode'], retainUntil: lockUntil } } : {}),
    };
    const expected = this.signature(request, exp);
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return request;
  }

  /** The file of a key, for the local server to stream a verified download from. */
  fileOf(key: string): string {
    assertBlobKey(key);
    return join(this.root, ...key.split('/'));
  }

  private presign(request: SignedBlobRequest, expiresInSeconds: number): PresignedRequest {
    assertBlobKey(request.key);
    assertPresignExpiry(expiresInSeconds);
    if (!this.urlSigningKey) throw new Error('This local blob store has no URL signing key (LocalBlobStoreOptions.urlSigningKey)');
    const expiresAt = new Date(this.now().getTime() + expiresInSeconds * 1000);
    const exp = String(Math.floor(expiresAt.getTime() / 1000));
    const query = new URLSearchParams({ exp });
    if (request.contentType) query.set('ct', request.contentType);
    if (request.filename) query.set('fn', request.filename);
    if (request.retention) {
      query.set('lm', request.retention.mode);
      query.set('lu', request.retention.retainUntil);
    }
    query.set('sig', this.signature(request, exp).toString('base64url'));
    const path = request.key.split('/').map(encodeURIComponent).join('/');
    return {
      url: `${this.urlPath}/${path}?${query.toString()}`,
      method: request.method,
      headers: {
        ...(request.contentType ? { 'content-type': request.contentType } : {}),
        // As S3: the lock headers are part of the request the client must send.
        ...(request.retention ? { 'x-amz-object-lock-mode': request.retention.mode, 'x-amz-object-lock-retain-until-date': request.retention.retainUntil } : {}),
      },
      expiresAt: new Date(Number(exp) * 1000).toISOString(),
    };
  }

  private signature(request: SignedBlobRequest, exp: string): Buffer {
    return createHmac('sha256', this.urlSigningKey!)
      .update([
        request.method, request.key, exp, request.contentType ?? '', request.filename ?? '',
        // Only URLs with a retention sign it, so other URLs keep their signatures.
        ...(request.retention ? [request.retention.mode, request.retention.retainUntil] : []),
      ].join('\n'))
      .digest();
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}

/** The local blob store rooted at `dir` (e.g. `<CRM_DATA_DIR>/blobs`). */
export function createLocalBlobStore(dir: string, options: LocalBlobStoreOptions = {}): LocalBlobStore {
  return new LocalBlobStore(dir, options);
}
