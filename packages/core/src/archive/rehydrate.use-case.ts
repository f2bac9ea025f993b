import { auditEntryFrom, writeAudit } from '../audit/audit-entry';
import type { SecuredContext } from '../access/access-policy';
import { requireVisibleCustomer, type CustomerDeps } from '../customers/customer.repository';
import { locatorItem } from '../interactions/record-interaction.use-case';
import { distinctNewestFirst, type ArchiveStore } from '../ports/archive-store.port';
import { KEY_ATTRIBUTES, TransactionConflictError, type Item, type TransactOperation } from '../ports/table-store.port';
import { archiveKeys } from './archive.keys';
import type { RehydrateResult } from './archive.schema';

export type RehydrateDeps = CustomerDeps & { archive: ArchiveStore };

/** Ledger deletes per transaction. */
const CHUNK = 100;

/**
 * Puts a customer's archived timeline back into the live table (`POST /v1/customers/{id}/rehydrate`).
 *
 * - Items come back without TTL (`expiresAt` removed): the caller asked for this history hot, so it
 *   stays hot until deleted; re-archiving it would take a new setting (not retroactive, see
 *   interaction settings). They carry `rehydratedAt`, so the event relay and the lake export do not
 *   take them for new interactions.
 * - Each item is put with `notExists` together with its locator (interactions): an item already
 *   live is left alone, so a retry after a partial run restores the rest and changes nothing else.
 * - Then the items' ledger entries are deleted and exactly the archive files read are removed
 *   (a file the archiver adds meanwhile stays for the next call), so the reconciliation stays even.
 * Audited (`customers:rehydrate`) with the counts.
 */
export async function rehydrateCustomer(deps: RehydrateDeps, ctx: SecuredContext, customerId: string): Promise<RehydrateResult> {
  const { tenantId } = ctx.principal;
  const customer = await requireVisibleCustomer(deps.store, ctx, customerId);
  const batches = await deps.archive.batches(tenantId, customer.id);
  const items = distinctNewestFirst(batches);
  const now = deps.clock.now().toISOString();

  const groups: TransactOperation[][] = items.map((archived) => {
    const { [KEY_ATTRIBUTES.ttl]: _ttl, ...rest } = archived;
    const item: Item = { ...rest, pk: archived.pk, sk: archived.sk, rehydratedAt: now };
    const operations: TransactOperation[] = [{ type: 'put', item, condition: { kind: 'notExists' } }];
    if (item.entity === 'interaction') {
      operations.push({ type: 'put', item: locatorItem(tenantId, item as unknown as { id: string; customerId: string; occurredAt: string }) });
    }
    return operations;
  });
  const outcomes = groups.length > 0 ? await deps.store.transactEach(groups) : [];
  let restored = 0;
  let alreadyLive = 0;
  for (const outcome of outcomes) {
    if (outcome === undefined) restored += 1;
    else if (outcome instanceof TransactionConflictError && outcome.failedIndexes.includes(0)) alreadyLive += 1;
    else throw outcome;
  }

  const ledgerDeletes = items.map((item): TransactOperation => ({ type: 'delete', key: archiveKeys.expired(tenantId, customer.id, item.sk) }));
  const chunks: TransactOperation[][] = [];
  for (let i = 0; i < ledgerDeletes.length; i += CHUNK) chunks.push(ledgerDeletes.slice(i, i + CHUNK));
  const failed = (chunks.length > 0 ? await deps.store.transactEach(chunks) : []).find((e) => e !== undefined);
  if (failed) throw failed;

  const result: RehydrateResult = { customerId: customer.id, restored, alreadyLive, files: batches.length };
  await writeAudit(deps.store, auditEntryFrom(ctx, {
    action: 'customers:rehydrate', resource: 'customer', resourceId: customer.id, detail: { restored, alreadyLive, files: batches.length },
  }, deps.clock, deps.ids));
  await deps.archive.remove(tenantId, customer.id, batches.map((b) => b.name));
  return result;
}
