import type { ArchiveStore } from '../ports/archive-store.port';
import type { TableStore } from '../ports/table-store.port';
import { archiveKeys } from './archive.keys';

export interface ArchiveReconciliation {
  /** Timeline items the TTL process removed and the archiver received (ledger entries, minus rehydrated ones). */
  expired: number;
  /** Distinct items in the archive store (read from the store itself, not from a counter). */
  archived: number;
  /** expired − archived when positive: items lost so far (or still on their way, while the archiver retries). */
  missing: number;
}

/**
 * Compares the archiver's ledger with what the archive store really holds, for one tenant. The two
 * sides are independent: the ledger is written before the archive file, and `archived` is counted
 * by reading the files, so an archiver that fails (or a file that vanishes) shows as `missing`.
 * Rehydration removes both sides of the items it restores.
 */
export async function reconcileArchive(deps: { store: TableStore; archive: ArchiveStore }, tenantId: string): Promise<ArchiveReconciliation> {
  let expired = 0;
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await deps.store.query({ partition: archiveKeys.ledgerPartition(tenantId), limit: 1000, consistent: true, ...(startAfter ? { startAfter } : {}) });
    expired += page.items.length;
    startAfter = page.lastKey;
  } while (startAfter);
  const archived = await deps.archive.count(tenantId);
  return { expired, archived, missing: Math.max(0, expired - archived) };
}
