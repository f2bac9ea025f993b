import type { ArchiveStore } from '../ports/archive-store.port';
import type { Clock } from '../ports/clock.port';
import { KEY_ATTRIBUTES, type Item, type TableStore, type TransactOperation } from '../ports/table-store.port';
import type { ChangeRecord } from '../events/change-record-events';
import { ARCHIVE_LEDGER_ENTITY, ARCHIVED_ENTITIES, archiveKeys } from './archive.keys';

export interface ArchiveDeps {
  store: TableStore;
  archive: ArchiveStore;
  clock: Clock;
}

/** Ledger puts per transaction (TransactWriteItems takes at most 100). */
const LEDGER_CHUNK = 100;

/**
 * Archives the old images of timeline items the TTL process removed. The caller passes only TTL
 * REMOVE records (stream `userIdentity` = the DynamoDB service; the handler checks it); other
 * entities are ignored.
 *
 * 1. The ledger entries (`expired` of the reconciliation) are written first — plain puts,
 *    idempotent — so a failing archive leaves visible `missing` instead of silently nothing.
 * 2. One archive file per (tenant, customer) of the batch, named after its items: a redelivered
 *    batch replaces the same file.
 * Throws on any failure: the handler fails the whole batch and the retry does both steps again.
 */
export async function archiveExpiredItems(deps: ArchiveDeps, records: readonly ChangeRecord[]): Promise<{ archived: number; files: number }> {
  const groups = new Map<string, { tenantId: string; customerId: string; items: Item[] }>();
  for (const record of records) {
    const image = record.oldImage;
    if (record.eventName !== 'REMOVE' || !image || !(ARCHIVED_ENTITIES as readonly unknown[]).includes(image.entity)) continue;
    const { tenantId, customerId } = image;
    if (typeof tenantId !== 'string' || typeof customerId !== 'string') continue;
    const key = `${tenantId}\n${customerId}`;
    const group = groups.get(key) ?? { tenantId, customerId, items: [] };
    group.items.push(image as Item);
    groups.set(key, group);
  }
  if (groups.size === 0) return { archived: 0, files: 0 };

  const now = deps.clock.now().toISOString();
  // Keyed by item: a batch holding the same item twice (expired, rehydrated, expired again) writes it once.
  const ledger = new Map<string, TransactOperation>();
  for (const { tenantId, customerId, items } of groups.values()) {
    for (const item of items) {
      const key = archiveKeys.expired(tenantId, customerId, item.sk);
      ledger.set(`${key.pk}\n${key.sk}`, {
        type: 'put',
        item: { ...key, entity: ARCHIVE_LEDGER_ENTITY, tenantId, customerId, timelineSk: item.sk, expiredAt: epochToIso(item[KEY_ATTRIBUTES.ttl]), recordedAt: now },
      });
    }
  }
  const operations = [...ledger.values()];
  const chunks: TransactOperation[][] = [];
  for (let i = 0; i < operations.length; i += LEDGER_CHUNK) chunks.push(operations.slice(i, i + LEDGER_CHUNK));
  const failures = (await deps.store.transactEach(chunks)).filter((e): e is Error => e !== undefined);
  if (failures.length > 0) throw failures[0];

  let archived = 0;
  for (const { tenantId, customerId, items } of groups.values()) {
    await deps.archive.append(tenantId, customerId, items);
    archived += items.length;
  }
  return { archived, files: groups.size };
}

function epochToIso(value: unknown): string | null {
  return typeof value === 'number' ? new Date(value * 1000).toISOString() : null;
}
