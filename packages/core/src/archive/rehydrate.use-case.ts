import { auditEntryFrom, auditPutOperation, writeAudit } from '../audit/audit-entry';
import type { SecuredContext } from '../access/access-policy';
import { AppError } from '../errors';
import { actorOf, requireVisibleCustomer, type CustomerDeps } from '../customers/customer.repository';
import { customerKeys } from '../customers/customer.keys';
import { locatorItem } from '../interactions/record-interaction.use-case';
import { distinctNewestFirst, type ArchiveStore } from '../ports/archive-store.port';
import { KEY_ATTRIBUTES, TransactionConflictError, type Item, type TransactOperation } from '../ports/table-store.port';
import { archiveKeys } from './archive.keys';
import type { RehydrateResult } from './archive.schema';
import { discardStaleArchivedProfile, rehydratedProfileOf } from './customer-stub';

export type RehydrateDeps = CustomerDeps & { archive: ArchiveStore };

/** Ledger deletes per transaction. */
const CHUNK = 100;

/**
 * Puts a customer's archived profile and timeline back into the live table
 * (`POST /v1/customers/{id}/rehydrate`).
 *
 * - An archive stub (ADR 0034, "Customer stubs") first gets its full profile back from the archive:
 *   one transaction, conditional on the stub's version, writes the restored profile (next version,
 *   `rehydratedAt`, `updatedAt` = now), deletes a pending timeline marker of the archiving job (so
 *   an interrupted run does not expire the timeline afterwards) and audits
 *   `customers:rehydrate-profile`; then the profile file is deleted. A retry after a crash finds a
 *   live profile and only removes the now stale file.
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
  const profileRestored = customer.archivedAt ? await restoreArchivedProfile(deps, ctx, customer.id) : false;
  await discardStaleArchivedProfile(deps, tenantId, customer.id);
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

  const result: RehydrateResult = { customerId: customer.id, profileRestored, restored, alreadyLive, files: batches.length };
  await writeAudit(deps.store, auditEntryFrom(ctx, {
    action: 'customers:rehydrate', resource: 'customer', resourceId: customer.id, detail: { restored, alreadyLive, files: batches.length },
  }, deps.clock, deps.ids));
  await deps.archive.remove(tenantId, customer.id, batches.map((b) => b.name));
  return result;
}

/** Restores a stub's archived profile (a few attempts when the stub changes meanwhile); false when it is no stub any more. */
async function restoreArchivedProfile(deps: RehydrateDeps, ctx: SecuredContext, customerId: string): Promise<boolean> {
  const { tenantId } = ctx.principal;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const stub = await deps.store.get(customerKeys.profile(tenantId, customerId), { consistent: true });
    if (!stub?.archivedAt) return false;
    const archived = await deps.archive.getProfile(tenantId, customerId);
    // Written before the stub, deleted only after the restore: a stub without it is lost data.
    if (!archived) throw new Error(`The archived profile of customer ${customerId} (archived ${String(stub.archivedAt)}) is missing`);
    const restored = rehydratedProfileOf(tenantId, archived, stub, deps.clock.now().toISOString(), actorOf(ctx.principal));
    try {
      await deps.store.transact([
        { type: 'put', item: restored, condition: { kind: 'equals', attribute: 'version', value: stub.version as number } },
        { type: 'delete', key: archiveKeys.pendingCustomer(tenantId, customerId) },
        auditPutOperation(auditEntryFrom(ctx, {
          action: 'customers:rehydrate-profile', resource: 'customer', resourceId: customerId,
          detail: { archivedAt: stub.archivedAt, archivedVersion: archived.version, version: restored.version },
        }, deps.clock, deps.ids)),
      ]);
      await deps.archive.removeProfile(tenantId, customerId);
      return true;
    } catch (error) {
      if (!(error instanceof TransactionConflictError && error.failedIndexes.includes(0))) throw error;
    }
  }
  throw new AppError('precondition_failed', `Customer ${customerId} kept changing during its rehydration; retry`);
}
