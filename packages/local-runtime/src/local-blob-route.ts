import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createLocalBlobStore, DEFAULT_BLOB_URL_PATH, type LocalBlobStore } from '@crm/adapters/local-blob';
import { contentDispositionOf } from './content-disposition';

/** A route the local server tries before the manifest's (raw Node request/response; true = handled). */
export type RawRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** Largest local upload (S3 takes up to 5 GB in one presigned PUT). */
export const MAX_LOCAL_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * The HMAC key of local presigned URLs, `<dataDir>/keys/blob-url.key` (32 random bytes, mode 0600),
 * created on first start like the token issuer's key, so URLs stay valid across restarts.
 */
export function loadOrCreateBlobUrlKey(dataDir: string): Buffer {
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'blob-url.key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

/** The local transfer store (the blob folder, presigning with the data folder's URL key) and its route. */
export function createLocalTransfers(dataDir: string): { blobs: LocalBlobStore; route: RawRoute } {
  const blobs = createLocalBlobStore(join(dataDir, 'blobs'), { urlSigningKey: loadOrCreateBlobUrlKey(dataDir) });
  return { blobs, route: blobRoute(blobs) };
}

/**
 * Serves presigned requests like S3 does: PUT streams the body to the key (never buffered whole),
 * GET streams the object back; a wrong or expired signature, another method or a content type other
 * than the signed one is 403, as S3 answers SignatureDoesNotMatch / AccessDenied.
 */
export function blobRoute(blobs: LocalBlobStore, urlPath = DEFAULT_BLOB_URL_PATH): RawRoute {
  return async (req, res) => {
    const target = req.url ?? '/';
    if (!target.startsWith(`${urlPath}/`)) return false;
    const signed = blobs.verifySignedUrl(req.method ?? 'GET', target);
    if (!signed) return reply(res, 403, 'The URL signature is not valid for this request, or it has expired');
    if (signed.method === 'PUT') {
      const type = (req.headers['content-type'] ?? '').trim();
      if (signed.contentType && type !== signed.contentType) return reply(res, 403, `Send Content-Type: ${signed.contentType} (it is part of the signature)`);
      if (signed.retention
        && (req.headers['x-amz-object-lock-mode'] !== signed.retention.mode || req.headers['x-amz-object-lock-retain-until-date'] !== signed.retention.retainUntil)) {
        return reply(res, 403, 'Send the x-amz-object-lock-mode and x-amz-object-lock-retain-until-date headers you were given (they are part of the signature)');
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > MAX_LOCAL_UPLOAD_BYTES) return reply(res, 413, 'The upload is too large');
      try {
        await blobs.putStream(signed.key, limited(req, MAX_LOCAL_UPLOAD_BYTES), signed.contentType ?? 'application/octet-stream', signed.retention ? { retention: signed.retention } : {});
      } catch (error) {
        if ((error as Error).message === 'too-large') return reply(res, 413, 'The upload is too large');
        throw error;
      }
      return reply(res, 200, '');
    }
    const size = await blobs.size(signed.key);
    if (size === undefined) return reply(res, 404, 'No such object');
    res.writeHead(200, {
      'content-type': signed.key.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/octet-stream',
      'content-length': size,
      ...(signed.filename ? { 'content-disposition': contentDispositionOf(signed.filename) } : {}),
    });
    await new Promise<void>((ok, fail) => {
      createReadStream(blobs.fileOf(signed.key)).on('error', fail).pipe(res).on('finish', ok).on('error', fail);
    });
    return true;
  };
}

async function* limited(source: AsyncIterable<Uint8Array>, max: number): AsyncIterable<Uint8Array> {
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > max) throw new Error('too-large');
    yield chunk;
  }
}

function reply(res: ServerResponse, status: number, message: string): true {
  const body = Buffer.from(message, 'utf8');
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
  res.end(body);
  return true;
}
