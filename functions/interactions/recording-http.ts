import { S3Client } from '@aws-sdk/client-s3';
import { createS3BlobStore } from '@crm/adapters/s3';
import type { BlobTransferStore, RecordingDeps } from '@crm/core';
import type { Container } from '@crm/runtime';

let s3Recordings: BlobTransferStore | undefined;

/**
 * The recordings store: `container.recordings` once the composition root provides it; else, in AWS,
 * the bucket `RECORDINGS_BUCKET` (manifest `buckets: ['recordings']`: SSE-KMS, Object Lock); else,
 * locally, the container's transfer store (the local blob folder, keys under `recordings/`).
 */
export function recordingsOf(container: Container): BlobTransferStore {
  const own = container as Container & { recordings?: BlobTransferStore; transfers?: BlobTransferStore };
  if (own.recordings) return own.recordings;
  const bucket = process.env.RECORDINGS_BUCKET;
  if (bucket) {
    // WHEN_REQUIRED: by default the SDK signs a CRC32 of the (empty) presign-time body into upload
    // URLs, which S3 then refuses for the real bytes; uploads carry a signed Content-MD5 instead.
    s3Recordings ??= createS3BlobStore({ client: new S3Client({ region: process.env.AWS_REGION, requestChecksumCalculation: 'WHEN_REQUIRED' }), bucket });
    return s3Recordings;
  }
  if (own.transfers && process.env.CRM_RUNTIME !== 'aws') return own.transfers;
  throw new Error('This function has no recordings bucket (add `buckets: [\'recordings\']` to its manifest entry)');
}

export function recordingDeps(container: Container): RecordingDeps {
  return { store: container.store, clock: container.clock, ids: container.ids, blobs: recordingsOf(container) };
}
