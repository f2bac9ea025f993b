import { createHash } from 'node:crypto';
import type { Item } from './table-store.port';

/** One file of a customer's archive (the unit `append` writes and rehydration removes). */
export interface ArchiveBatch {
  /** File name within the customer's folder, e.g. `<digest>.jsonl`. */
  name: string;
  items: Item[];
}

/**
 * Archive-store port: the full old images of timeline items that DynamoDB's TTL process removed,
 * kept per customer as JSON-lines files under the lake's archive prefix
 * (`archive/timeline/tenant=<t>/customer=<c>/<digest>.jsonl`): a local folder
 * (`<CRM_DATA_DIR>/lake/`) or the lake bucket in AWS, same layout (see ARCHIVE_TIMELINE_PREFIX).
 *
 * Idempotent by content: a file is named after the digest of the item keys it holds, so a
 * redelivered batch replaces the same file; reads and counts are distinct by sort key, so an item
 * archived twice (a redelivery of a different composition) is still one item.
 */
export interface ArchiveStore {
  /** Writes `items` (all of one customer) as one file; answers its name ('' when `items` is empty). */
  append(tenantId: string, customerId: string, items: readonly Item[]): Promise<string>;
  /**
   * The customer's archived items, distinct by `sk`, newest first (descending `sk`), strictly
   * before `beforeSk` when given; `more` when items beyond `limit` exist.
   */
  read(tenantId: string, customerId: string, options: { beforeSk?: string; limit: number }): Promise<{ items: Item[]; more: boolean }>;
  /** Every file of the customer's archive (rehydration reads them, then removes exactly these). */
  batches(tenantId: string, customerId: string): Promise<ArchiveBatch[]>;
  /** Deletes the named files of the customer's archive (absent ones are ignored). */
  remove(tenantId: string, customerId: string, names: readonly string[]): Promise<void>;
  /** Distinct archived items of the tenant (all customers): the reconciliation's `archived`. */
  count(tenantId: string): Promise<number>;
  /**
   * Writes the full stored profile item of an archived customer (as stored: sealed fields stay
   * sealed) to `archive/customers/tenant=<t>/customer=<c>/profile.json`, replacing any earlier one.
   */
  putProfile(tenantId: string, customerId: string, profile: Item): Promise<void>;
  /** The archived profile item, or undefined when there is none. */
  getProfile(tenantId: string, customerId: string): Promise<Item | undefined>;
  /** Deletes the archived profile (no error when absent). */
  removeProfile(tenantId: string, customerId: string): Promise<void>;
}

/** The archive's key prefix in the lake (relative to the lake root). */
export const ARCHIVE_TIMELINE_PREFIX = 'archive/timeline';
/** The prefix of archived customer profiles (customer stubs, ADR 0034). */
export const ARCHIVE_CUSTOMERS_PREFIX = 'archive/customers';

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `archive/timeline/tenant=<t>/customer=<c>`: ids are checked, so no id can leave its folder. */
export function archiveCustomerPrefix(tenantId: string, customerId: string): string {
  if (!SAFE_ID.test(tenantId)) throw new Error(`Invalid archive tenant id: ${JSON.stringify(tenantId)}`);
  if (!SAFE_ID.test(customerId)) throw new Error(`Invalid archive customer id: ${JSON.stringify(customerId)}`);
  return `${ARCHIVE_TIMELINE_PREFIX}/tenant=${tenantId}/customer=${customerId}`;
}

/** `archive/customers/tenant=<t>/customer=<c>/profile.json`: ids are checked like the timeline's. */
export function archivedProfileKey(tenantId: string, customerId: string): string {
  return `${archiveCustomerPrefix(tenantId, customerId).replace(ARCHIVE_TIMELINE_PREFIX, ARCHIVE_CUSTOMERS_PREFIX)}/profile.json`;
}

/** `archive/timeline/tenant=<t>`. */
export function archiveTenantPrefix(tenantId: string): string {
  if (!SAFE_ID.test(tenantId)) throw new Error(`Invalid archive tenant id: ${JSON.stringify(tenantId)}`);
  return `${ARCHIVE_TIMELINE_PREFIX}/tenant=${tenantId}`;
}

/** Archive file names: `<digest>.jsonl` (what `append` makes). */
export function isArchiveFileName(name: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}\.jsonl$/.test(name);
}

/** Merges files into the distinct items, newest first (a later duplicate of an `sk` is dropped). */
export function distinctNewestFirst(batches: readonly ArchiveBatch[]): Item[] {
  const bySk = new Map<string, Item>();
  for (const batch of batches) for (const item of batch.items) if (!bySk.has(item.sk)) bySk.set(item.sk, item);
  return [...bySk.values()].sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0));
}

/** One page of `read` over the merged items. */
export function archivePage(items: readonly Item[], options: { beforeSk?: string; limit: number }): { items: Item[]; more: boolean } {
  const eligible = options.beforeSk === undefined ? items : items.filter((i) => i.sk < options.beforeSk!);
  return { items: eligible.slice(0, options.limit), more: eligible.length > options.limit };
}

/**
 * The file name of a batch: a digest of its (sorted, distinct) sort keys, so the same items make the
 * same name and a redelivered batch replaces its file instead of adding one.
 */
export function archiveFileName(items: readonly Item[]): string {
  const keys = [...new Set(items.map((i) => i.sk))].sort();
  return `${createHash('sha256').update(keys.join('\n')).digest('base64url').slice(0, 40)}.jsonl`;
}

/** JSON lines of a batch, and back. */
export function toJsonLines(items: readonly Item[]): string {
  return items.map((i) => JSON.stringify(i)).join('\n') + '\n';
}

export function fromJsonLines(text: string): Item[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Item);
}
