import { defaultJobRegistry, runJobChunk } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { runnableJobsOf } from './job-feed';
import { transfersOf } from './job-http';

/** Work per invocation: at most 60 s (the function's timeout is 120 s, 10 s kept for the checkpoint) and this many items per job. */
export const CHUNK_SECONDS = 60;
export const CHUNK_MAX_ITEMS = 50_000;
const registry = defaultJobRegistry();

/**
 * Change-feed consumer that drives background jobs (docs/adr/0014-background-jobs.md): a job item
 * written as queued/running gets one chunk of work, whose checkpoint write is the change that
 * brings the next chunk. Stale and duplicate deliveries are skipped by the version check inside
 * `runJobChunk`; the batch's distinct jobs share the time budget, so it ends within the timeout.
 */
export const handler = async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  const targets = runnableJobsOf(event);
  const remaining = context?.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() - 10_000 : CHUNK_SECONDS * 1000;
  const perJob = Math.max(1_000, Math.min(CHUNK_SECONDS * 1000, remaining)) / Math.max(1, targets.length);
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const target of targets) {
    try {
      const deps = { store: await container.storeFor(target.tenantId), clock: container.clock, ids: container.ids, encryptor: container.encryptor, blobs: transfersOf(container) };
      const outcome = await runJobChunk(deps, registry, target, { deadline: Date.now() + perJob, maxItems: CHUNK_MAX_ITEMS });
      container.logger.info('job chunk', { tenantId: target.tenantId, jobId: target.id, outcome });
    } catch (error) {
      // Unexpected (infrastructure) errors: redeliver; the chunk is idempotent.
      container.logger.error('job chunk failed', { tenantId: target.tenantId, jobId: target.id, error: error as Error });
      batchItemFailures.push({ itemIdentifier: target.sequence });
    }
  }
  return { batchItemFailures };
};
