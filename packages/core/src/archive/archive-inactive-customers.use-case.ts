import { auditEntryFrom, auditPutOperation } from '../audit/audit-entry';
import { customerKeys } from '../customers/customer.keys';
import { loadInteractionSettings } from '../interactions/interaction-settings';
import { interactionKeys, TIMELINE_PREFIX } from '../interactions/interaction.keys';
import { locatorItem } from '../interactions/record-interaction.use-case';
import { orderKeys } from '../orders/order.keys';
import { taskKeys } from '../tasks/task.keys';
import type { AnalyticsEngine } from '../ports/analytics-engine.port';
import type { ArchiveStore } from '../ports/archive-store.port';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { KEY_ATTRIBUTES, TransactionConflictError, type Item, type TableStore, type TransactOperation } from '../ports/table-store.port';
import { systemContext } from '../principal';
import { archiveKeys, CUSTOMER_ARCHIVE_PENDING_ENTITY } from './archive.keys';
import { discardStaleArchivedProfile, stubOf } from './customer-stub';

/** Who archives customers (audit actor, `updatedBy` of stubs). */
export const CUSTOMER_ARCHIVE_ACTOR = 'system:archive-customers';

/** Customers archived per tenant and run unless the caller says otherwise; the rest wait a day. */
export const DEFAULT_MAX_ARCHIVED_PER_RUN = 500;

const DAY_MS = 86_400_000;
/**
 * Candidates read per run (the report's oldest activity first): bounds the job's memory on a
 * tenant's first run. Archived ones leave the report once their stub is exported, so the next run
 * reads the next ones.
 */
export const CANDIDATE_PAGE = 20_000;
/** Candidates verified per round (one BatchGet of profiles and order stats). */
const VERIFY_BATCH = 50;
/** Timeline items given their TTL per page. */
const EXPIRE_PAGE = 200;

export interface ArchiveCustomersDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
  engine: AnalyticsEngine;
  archive: ArchiveStore;
}

export interface ArchiveCustomersResult {
  tenantId: string;
  /** The tenant's `customerArchiveAfterDays` (null: never; only pending work was finished). */
  days: number | null;
  asOf: string;
  /** Activity before this instant (asOf − days) makes a customer inactive. */
  cutoff: string | null;
  /** Rows of the `inactive-customers` report (lake candidates; at most CANDIDATE_PAGE of them are read per run). */
  candidates: number;
  /** Customers archived into a stub by this run. */
  archived: number;
  /** Customers of an earlier, interrupted run whose timeline step this run finished. */
  resumed: number;
  /** Candidates the live table shows active (profile, order or timeline item at or after the cutoff: the lake lags). */
  active: number;
  /** Candidates that are no live profile any more (deleted, merged, already archived, absent). */
  notLive: number;
  /** Candidates changed between verification and the stub swap (left live; the next run decides). */
  changed: number;
  /** Candidates left for the next run: verified ones beyond `maxArchived`, and those beyond the page read. */
  deferred: number;
  /** Timeline items given a TTL of now (archived by the TTL path: `archive-expired`). */
  expiredItems: number;
}

/**
 * Daily customer archiving of one tenant (ADR 0034, "Customer stubs"; schedule
 * `archive-inactive-customers`). First finishes what an interrupted run left (pending timeline
 * steps), then — when the tenant set `customerArchiveAfterDays` — runs the `inactive-customers`
 * report on the lake and, per candidate verified against the live table:
 *
 * 1. writes the full stored profile item to the archive (`archive/customers/…/profile.json`);
 * 2. in one transaction, conditional on the version read: the stub replaces the profile, a pending
 *    marker records that the timeline step is due, and the audit entry `customers:archive`;
 * 3. gives the customer's timeline items older than the cutoff a TTL of now (hidden at once; the TTL
 *    process removes them and `archive-expired` archives them under the customer's folder), then
 *    deletes the marker.
 *
 * Verification (the lake lags, and holds no notes, tasks or deal changes): the profile is live and
 * not changed since the cutoff, its order stats show no order since the cutoff, one Query of the
 * customer's timeline (newest first, from the cutoff) finds no item, and no open task is about it. A crash after 1 leaves a
 * profile file that the next run rewrites; the swap in 2 is conditional; a crash in 3 is finished by
 * the next run from the marker. Items recorded on the stub after the swap are newer than the
 * cutoff and stay live.
 */
export async function archiveInactiveCustomers(
  deps: ArchiveCustomersDeps,
  tenantId: string,
  options: { maxArchived?: number } = {},
): Promise<ArchiveCustomersResult> {
  const maxArchived = options.maxArchived ?? DEFAULT_MAX_ARCHIVED_PER_RUN;
  const now = deps.clock.now();
  const asOf = now.toISOString();
  const settings = await loadInteractionSettings(deps.store, tenantId);
  const days = settings.customerArchiveAfterDays;
  const cutoff = days === null ? null : new Date(now.getTime() - days * DAY_MS).toISOString();
  const result: ArchiveCustomersResult = {
    tenantId, days, asOf, cutoff, candidates: 0, archived: 0, resumed: 0, active: 0, notLive: 0, changed: 0, deferred: 0, expiredItems: 0,
  };

  for (const pending of await pendingMarkers(deps.store, tenantId)) {
    result.expiredItems += await finishTimelineStep(deps, tenantId, pending, now);
    result.resumed += 1;
  }
  if (days === null || cutoff === null) return result;

  const { rows, rowCount } = await deps.engine.runPage(tenantId, 'inactive-customers', { asOf, days }, { limit: CANDIDATE_PAGE });
  result.candidates = rowCount;
  const lastActivity = new Map(rows.map((r) => [String(r.customer_id), String(r.last_activity_at)]));
  const ids = [...lastActivity.keys()];
  for (let start = 0; start < ids.length; start += VERIFY_BATCH) {
    const batch = ids.slice(start, start + VERIFY_BATCH);
    const verified = await verifyInactive(deps.store, tenantId, batch, cutoff, result);
    for (const profile of verified) {
      if (result.archived >= maxArchived) {
        result.deferred += 1;
        continue;
      }
      const swapped = await archiveCustomer(deps, tenantId, profile, cutoff, lastActivity.get(String(profile.id))!, now);
      if (!swapped) {
        result.changed += 1;
        continue;
      }
      result.archived += 1;
      result.expiredItems += await finishTimelineStep(deps, tenantId, { customerId: String(profile.id), cutoff, archivedAt: asOf }, now);
    }
  }
  result.deferred += rowCount - rows.length;
  return result;
}

interface PendingTimelineStep {
  customerId: string;
  cutoff: string;
  archivedAt: string;
}

async function pendingMarkers(store: TableStore, tenantId: string): Promise<PendingTimelineStep[]> {
  const markers: PendingTimelineStep[] = [];
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await store.query({ partition: archiveKeys.pendingCustomerPartition(tenantId), limit: 500, consistent: true, ...(startAfter ? { startAfter } : {}) });
    for (const item of page.items) markers.push({ customerId: String(item.customerId), cutoff: String(item.cutoff), archivedAt: String(item.archivedAt) });
    startAfter = page.lastKey;
  } while (startAfter);
  return markers;
}

/** The candidates the live table confirms inactive (their stored profile items), counting the others. */
async function verifyInactive(store: TableStore, tenantId: string, ids: string[], cutoff: string, result: ArchiveCustomersResult): Promise<Item[]> {
  const items = await store.batchGet(ids.flatMap((id) => [customerKeys.profile(tenantId, id), orderKeys.stats(tenantId, id)]));
  const partitionOf = (id: string) => customerKeys.partition(tenantId, id);
  const bySk = (id: string, sk: string) => items.find((i) => i.pk === partitionOf(id) && i.sk === sk);
  const verified: Item[] = [];
  for (const id of ids) {
    const profile = bySk(id, customerKeys.profile(tenantId, id).sk);
    if (!profile || profile.entity !== 'customer' || profile.deletedAt || profile.mergedInto || profile.archivedAt) {
      result.notLive += 1;
      continue;
    }
    const lastOrderAt = bySk(id, orderKeys.stats(tenantId, id).sk)?.lastOrderAt;
    if (String(profile.updatedAt) >= cutoff || (typeof lastOrderAt === 'string' && lastOrderAt >= cutoff)
      || (await hasTimelineSince(store, tenantId, id, cutoff)) || (await hasOpenTask(store, tenantId, id))) {
      result.active += 1;
      continue;
    }
    verified.push(profile);
  }
  return verified;
}

/** Whether the customer's timeline holds a live item at or after the cutoff (newest first, one item). */
async function hasTimelineSince(store: TableStore, tenantId: string, customerId: string, cutoff: string): Promise<boolean> {
  let startAfter: Record<string, string> | undefined;
  // Expired items are filtered after the limit (DynamoDB), so an empty page may still have a next one.
  for (let pages = 0; pages < 20; pages += 1) {
    const page = await store.query({
      partition: interactionKeys.timelinePartition(tenantId, customerId),
      sortKey: { between: [interactionKeys.timelineFrom(cutoff), `${TIMELINE_PREFIX}~`] },
      forward: false, limit: 1, consistent: true, ...(startAfter ? { startAfter } : {}),
    });
    if (page.items.length > 0) return true;
    if (!page.lastKey) return false;
    startAfter = page.lastKey;
  }
  return true; // undecided after 20 expired items: treat as active, the next run looks again
}

/** Whether someone still has an open task about the customer (work planned: not inactive, whatever its age). */
async function hasOpenTask(store: TableStore, tenantId: string, customerId: string): Promise<boolean> {
  const page = await store.query({ index: 'gsi2', partition: taskKeys.byCustomer(tenantId, customerId), sortKey: { beginsWith: taskKeys.statusPrefix('open') }, limit: 1 });
  return page.items.length > 0;
}

/** Steps 1 and 2: the profile file, then the conditional stub swap. False when the profile changed meanwhile. */
async function archiveCustomer(deps: ArchiveCustomersDeps, tenantId: string, profile: Item, cutoff: string, lastActivityAt: string, now: Date): Promise<boolean> {
  const customerId = String(profile.id);
  const at = now.toISOString();
  await deps.archive.putProfile(tenantId, customerId, profile);
  const stub = stubOf(tenantId, profile, at, CUSTOMER_ARCHIVE_ACTOR);
  try {
    await deps.store.transact([
      { type: 'put', item: stub, condition: { kind: 'equals', attribute: 'version', value: profile.version as number } },
      {
        type: 'put',
        item: { ...archiveKeys.pendingCustomer(tenantId, customerId), entity: CUSTOMER_ARCHIVE_PENDING_ENTITY, tenantId, customerId, cutoff, archivedAt: at },
      },
      auditPutOperation(auditEntryFrom(systemContext(tenantId, CUSTOMER_ARCHIVE_ACTOR), {
        action: 'customers:archive', resource: 'customer', resourceId: customerId,
        detail: { cutoff, lastActivityAt, archivedVersion: profile.version, stubVersion: stub.version },
      }, deps.clock, deps.ids)),
    ]);
    return true;
  } catch (error) {
    if (!(error instanceof TransactionConflictError && error.failedIndexes.includes(0))) throw error;
    await discardStaleArchivedProfile(deps, tenantId, customerId);
    return false;
  }
}

/**
 * Step 3: the stub's timeline items older than the cutoff (and the locators of its interactions)
 * get a TTL of now; then the marker goes. Stops early when the customer is no stub of this
 * archiving any more (rehydrated meanwhile: its timeline stays live). Idempotent.
 */
async function finishTimelineStep(deps: ArchiveCustomersDeps, tenantId: string, pending: PendingTimelineStep, now: Date): Promise<number> {
  const ttl = Math.floor(now.getTime() / 1000);
  let expired = 0;
  let startAfter: Record<string, string> | undefined;
  do {
    const profile = await deps.store.get(customerKeys.profile(tenantId, pending.customerId), { consistent: true });
    if (!profile || profile.archivedAt !== pending.archivedAt) break;
    const page = await deps.store.query({
      partition: interactionKeys.timelinePartition(tenantId, pending.customerId),
      sortKey: { between: [TIMELINE_PREFIX, interactionKeys.timelineFrom(pending.cutoff)] },
      forward: false, limit: EXPIRE_PAGE, consistent: true, ...(startAfter ? { startAfter } : {}),
    });
    const groups = page.items.map((item): TransactOperation[] => {
      const operations: TransactOperation[] = [{ type: 'put', item: { ...item, [KEY_ATTRIBUTES.ttl]: ttl }, condition: { kind: 'exists' } }];
      if (item.entity === 'interaction') {
        operations.push({ type: 'put', item: { ...locatorItem(tenantId, item as unknown as { id: string; customerId: string; occurredAt: string }), [KEY_ATTRIBUTES.ttl]: ttl } });
      }
      return operations;
    });
    for (const outcome of groups.length > 0 ? await deps.store.transactEach(groups) : []) {
      if (outcome === undefined) expired += 1;
      else if (!(outcome instanceof TransactionConflictError)) throw outcome; // a conflict: the item went meanwhile
    }
    startAfter = page.lastKey;
  } while (startAfter);
  await deps.store.delete(archiveKeys.pendingCustomer(tenantId, pending.customerId));
  return expired;
}

