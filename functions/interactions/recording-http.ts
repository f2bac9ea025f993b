import type { BlobTransferStore, RecordingDeps } from '@crm/core';
import type { Container } from '@crm/runtime';

/**
 * The recordings store from the composition root: the bucket `RECORDINGS_BUCKET` in AWS (manifest
 * `buckets: ['recordings']`: SSE-KMS, Object Lock), the local blob folder locally.
 */
export function recordingsOf(container: Container): BlobTransferStore {
  if (!container.recordings) throw new Error('This function has no recordings bucket (add `buckets: [\'recordings\']` to its manifest entry)');
  return container.recordings;
}

export function recordingDeps(container: Container): RecordingDeps {
  return { store: container.store, clock: container.clock, ids: container.ids, blobs: recordingsOf(container) };
}
