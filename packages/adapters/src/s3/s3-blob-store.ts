import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchKey, NotFound, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { assertBlobKey, assertBlobPrefix, assertPresignExpiry, type BlobRetention, type BlobTransferStore, type PresignedRequest } from '@crm/core';

export interface S3BlobStoreOptions {
  /** Created once per container by the composition root. */
  client: S3Client;
  bucket: string;
  /** Now, for the `expiresAt` of presigned requests (tests inject a fixed clock). */
  now?: () => Date;
}

/** Object Lock headers of a PutObject with its own retention (signed, never hoisted into the query). */
const OBJECT_LOCK_HEADERS = ['x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date'];

/** Parts of a streamed upload: 8 MiB × 2 in flight bounds the memory a stream write holds. */
const UPLOAD_PART_BYTES = 8 * 1024 * 1024;
const UPLOAD_QUEUE = 2;

/**
 * Blob store on one S3 bucket. Encryption (SSE-KMS with the data key) and Object Lock retention are
 * bucket defaults, so objects get them without per-request headers (a presigned upload may carry its
 * own retention as signed lock headers); the SDK's default CRC32
 * checksum satisfies Object Lock's integrity-header requirement for PutObject. Streamed reads are
 * ranged GetObjects, streamed writes multipart uploads (lib-storage), presigned URLs SigV4 query
 * signatures made with the function's own credentials (so they allow only what its role allows).
 */
export class S3BlobStore implements BlobTransferStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly now: () => Date;

  constructor(options: S3BlobStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.now = options.now ?? (() => new Date());
  }

  async put(key: string, body: Buffer | string, contentType: string): Promise<void> {
    assertBlobKey(key);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async putStream(key: string, body: AsyncIterable<Uint8Array>, contentType: string): Promise<void> {
    assertBlobKey(key);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: Readable.from(body), ContentType: contentType },
      partSize: UPLOAD_PART_BYTES,
      queueSize: UPLOAD_QUEUE,
      // A failed upload aborts its multipart parts (the bucket's lifecycle rule is the backstop).
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async get(key: string): Promise<Buffer | undefined> {
    assertBlobKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async openRead(key: string, options: { start?: number } = {}): Promise<AsyncIterable<Uint8Array> | undefined> {
    assertBlobKey(key);
    const start = options.start ?? 0;
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(start > 0 ? { Range: `bytes=${start}-` } : {}) }),
      );
      if (!out.Body) return (async function* () {})();
      return out.Body as unknown as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (isMissing(error)) return undefined;
      // A range starting at or past the end: nothing left to read.
      if ((error as { name?: string }).name === 'InvalidRange') return (async function* () {})();
      throw error;
    }
  }

  async size(key: string): Promise<number | undefined> {
    assertBlobKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.ContentLength ?? 0;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async list(prefix: string): Promise<string[]> {
    assertBlobPrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of out.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async presignUpload(
    key: string, options: { contentType: string; expiresInSeconds: number; contentMd5?: string; retention?: BlobRetention },
  ): Promise<PresignedRequest> {
    assertBlobKey(key);
    assertPresignExpiry(options.expiresInSeconds);
    const signedAt = this.now();
    const md5 = options.contentMd5;
    const retention = options.retention;
    const command = new PutObjectCommand({
      Bucket: this.bucket, Key: key, ContentType: options.contentType, ...(md5 ? { ContentMD5: md5 } : {}),
      ...(retention ? { ObjectLockMode: retention.mode, ObjectLockRetainUntilDate: new Date(retention.retainUntil) } : {}),
    });
    const url = await getSignedUrl(this.client, command, {
      expiresIn: options.expiresInSeconds,
      signingDate: signedAt,
      // Content-Type, Content-MD5 and the lock headers are signed, so the client must send what was announced.
      signableHeaders: new Set(['content-type', ...(md5 ? ['content-md5'] : []), ...(retention ? OBJECT_LOCK_HEADERS : [])]),
      // The presigner would move x-amz-* headers into the query string; the lock headers stay headers
      // (S3 applies Object Lock from request headers), so the URL only works with them sent as given.
      ...(retention ? { unhoistableHeaders: new Set(OBJECT_LOCK_HEADERS) } : {}),
    });
    const headers: Record<string, string> = {
      'content-type': options.contentType,
      ...(md5 ? { 'content-md5': md5 } : {}),
      // The exact value the SDK serialised and signed (smithy's date-time header: ISO 8601 without
      // `.000`); test/unit/adapters/recording-retention.test.ts compares it with the signed request.
      ...(retention ? { 'x-amz-object-lock-mode': retention.mode, 'x-amz-object-lock-retain-until-date': new Date(retention.retainUntil).toISOString().replace('.000Z', 'Z') } : {}),
    };
    return { url, method: 'PUT', headers, expiresAt: expiryOf(signedAt, options.expiresInSeconds) };
  }

  async presignDownload(key: string, options: { expiresInSeconds: number; filename?: string }): Promise<PresignedRequest> {
    assertBlobKey(key);
    assertPresignExpiry(options.expiresInSeconds);
    const signedAt = this.now();
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ...(options.filename ? { ResponseContentDisposition: contentDisposition(options.filename) } : {}),
    });
    const url = await getSignedUrl(this.client, command, { expiresIn: options.expiresInSeconds, signingDate: signedAt });
    return { url, method: 'GET', headers: {}, expiresAt: expiryOf(signedAt, options.expiresInSeconds) };
  }
}

/** `attachment` with an ASCII fallback and the RFC 5987 UTF-8 name (import files are often Chinese). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function expiryOf(signedAt: Date, seconds: number): string {
  return new Date(signedAt.getTime() + seconds * 1000).toISOString();
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return error instanceof NoSuchKey || error instanceof NotFound || name === 'NoSuchKey' || name === 'NotFound';
}

/** The S3 blob store of `bucket` through an injected client. */
export function createS3BlobStore(options: S3BlobStoreOptions): S3BlobStore {
  return new S3BlobStore(options);
}
