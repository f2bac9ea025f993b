import type { BlobTransferStore, PresignedRequest } from '@crm/core';
import type { Container } from '@crm/runtime';

/**
 * The container's transfer bucket (import uploads, error reports, exports): S3 bucket `IMPORTS_BUCKET`
 * in AWS (manifest `buckets: ['imports']`), the local blob folder served by the local server.
 */
export function transfersOf(container: Container): BlobTransferStore {
  const transfers = container.transfers;
  if (!transfers) throw new Error('This function has no transfer bucket (add `buckets: [\'imports\']` to its manifest entry)');
  return transfers;
}

/** Ports of the import/export use cases, from the request's (tenant-scoped) container. */
export function transferDeps(container: Container) {
  return { store: container.store, clock: container.clock, ids: container.ids, encryptor: container.encryptor, blobs: transfersOf(container) };
}

/**
 * Local presigned URLs are origin-relative (the local server does not know which host name the
 * client used); resolve them against the request's origin. S3 URLs are absolute and pass through.
 */
export function withAbsoluteUrls<T extends Record<string, unknown>>(view: T, headers: Record<string, string>): T {
  const origin = `${headers['x-forwarded-proto'] ?? 'http'}://${headers.host ?? '127.0.0.1'}`;
  const out: Record<string, unknown> = { ...view };
  for (const [key, value] of Object.entries(out)) {
    const request = value as PresignedRequest | undefined;
    if (request && typeof request === 'object' && typeof request.url === 'string' && request.url.startsWith('/')) {
      out[key] = { ...request, url: `${origin}${request.url}` };
    }
  }
  return out as T;
}
