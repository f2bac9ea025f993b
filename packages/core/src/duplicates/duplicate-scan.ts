import * as z from 'zod';
import type { SecuredContext } from '../access/access-policy';
import type { Item } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { customerKeys } from '../customers/customer.keys';
import { loadCustomerConfig, openCustomer, toCustomer } from '../customers/customer.repository';
import { createJob, jobView, requireOwnJob, type JobStoreDeps } from '../jobs/job.repository';
import { JOB_TTL_SECONDS, jobKeys } from '../jobs/job.keys';
import type { JobKind } from '../jobs/job-runner';
import type { JobView } from '../jobs/job.schema';
import { findDuplicates } from './find-duplicates';
import { DuplicateCandidate } from './duplicate.types';

/**
 * Batch duplicate scan: a background job walks the tenant's live customers (the tenant list index,
 * one page after another from a checkpoint) and looks each up through the same blocking keys as a
 * write does — O(1) per record, so a scan is linear in the tenant's size and never scans the table.
 * A group is written once, under its member with the smallest id (the anchor), in the job's own
 * partition (`GROUP#<anchorId>`), so re-running a chunk rewrites the same items.
 */
export const DUPLICATE_SCAN_KIND = 'duplicate-scan';
const PAGE = 100;

export interface ScanCheckpoint {
  after?: Record<string, string>;
  groups: number;
}

export const DuplicateGroup = z.object({
  anchor: z.object({ id: z.string(), name: z.string() }),
  /** The anchor's candidates, best first. */
  members: z.array(DuplicateCandidate),
}).meta({ id: 'DuplicateGroup' });
export type DuplicateGroup = z.infer<typeof DuplicateGroup>;

export const duplicateScanJobKind: JobKind<Record<string, never>, ScanCheckpoint, { scanned: number; groups: number }> = {
  kind: DUPLICATE_SCAN_KIND,
  permission: 'customers:merge',
  async runChunk(deps, ctx, job, budget) {
    const { tenantId } = ctx.principal;
    const { security } = await loadCustomerConfig(deps.store, tenantId, { consistent: true });
    let { after, groups } = job.checkpoint;
    let processed = job.progress.processed;
    let done = false;
    let scannedNow = 0;
    while (Date.now() < budget.deadline && scannedNow < budget.maxItems) {
      const page = await deps.store.query({ index: 'gsi1', partition: customerKeys.tenantList(tenantId, false), limit: PAGE, ...(after ? { startAfter: after } : {}) });
      for (const item of page.items) {
        const stored = toCustomer(item);
        const plain = await openCustomer(deps, tenantId, stored, security);
        const found = await findDuplicates(deps.store, ctx, plain, { excludeIds: [stored.id] });
        if (found.visible.length > 0 && found.visible.every((c) => c.id > stored.id)) {
          await deps.store.put(groupItem(tenantId, job.id, job.createdAt, { anchor: { id: stored.id, name: stored.name }, members: found.visible }));
          groups += 1;
        }
      }
      processed += page.items.length;
      scannedNow += page.items.length;
      after = page.lastKey;
      if (!after) {
        done = true;
        break;
      }
    }
    const checkpoint: ScanCheckpoint = { ...(after ? { after } : {}), groups };
    const progress = { ...job.progress, processed, succeeded: processed, warned: groups };
    return done ? { checkpoint, progress, result: { scanned: processed, groups } } : { checkpoint, progress };
  },
  finishAudit: (job) => ({ action: 'customers:merge', resource: 'duplicate-scan', detail: { scanned: job.progress.processed, groups: job.checkpoint.groups } }),
};

function groupItem(tenantId: string, jobId: string, createdAt: string, group: DuplicateGroup): Item {
  return {
    pk: jobKeys.item(tenantId, jobId).pk, sk: `GROUP#${group.anchor.id}`, entity: 'duplicate-group', tenantId, jobId,
    expiresAt: Math.floor(Date.parse(createdAt) / 1000) + JOB_TTL_SECONDS,
    ...group,
  };
}

/** Starts a scan of the caller's data domain (audited; progress via `getDuplicateScan`). */
export async function startDuplicateScan(deps: JobStoreDeps, ctx: RequestContext): Promise<JobView> {
  const job = await createJob<Record<string, never>, ScanCheckpoint>(deps, ctx, {
    kind: DUPLICATE_SCAN_KIND, params: {}, checkpoint: { groups: 0 }, status: 'queued',
    audit: { action: 'customers:merge', resource: 'duplicate-scan', detail: { started: true } },
  });
  return jobView(job);
}

export async function getDuplicateScan(deps: Pick<JobStoreDeps, 'store'>, ctx: RequestContext, id: string): Promise<JobView> {
  return jobView(await requireOwnJob(deps.store, ctx, DUPLICATE_SCAN_KIND, id));
}

export const ListGroupsQuery = z.strictObject({
  limit: z.coerce.number().int().optional().transform((n) => Math.min(200, Math.max(1, n ?? 50))),
  after: z.string().max(4096).optional(),
});

/** The groups a scan has found so far, by anchor id, one cursor page at a time. */
export async function listDuplicateGroups(deps: Pick<JobStoreDeps, 'store'>, ctx: SecuredContext, id: string, q: z.infer<typeof ListGroupsQuery>): Promise<{ items: DuplicateGroup[]; next: string | null }> {
  const job = await requireOwnJob(deps.store, ctx, DUPLICATE_SCAN_KIND, id);
  const { tenantId } = ctx.principal;
  const fingerprint = queryFingerprint({ duplicateGroups: job.id });
  const partition = jobKeys.item(tenantId, job.id).pk;
  const startAfter = q.after ? decodeCursor(q.after, tenantId, fingerprint, (v) => v === partition) : undefined;
  const page = await deps.store.query({ partition, sortKey: { beginsWith: 'GROUP#' }, limit: q.limit, ...(startAfter ? { startAfter } : {}) });
  return {
    items: page.items.map((i) => ({ anchor: i.anchor as DuplicateGroup['anchor'], members: i.members as DuplicateCandidate[] })),
    next: page.lastKey ? encodeCursor(tenantId, fingerprint, page.lastKey) : null,
  };
}
