import { AppError, notFound } from '../errors';
import type { SecuredContext } from '../access/access-policy';
import { TransactionConflictError, type TransactOperation } from '../ports/table-store.port';
import { auditEntryFrom, auditPutOperation } from '../audit/audit-entry';
import { actorOf, loadCustomer, presentCustomer, loadCustomerConfig, toProfileItem, type CustomerDeps } from './customer.repository';
import { completeMerge, getMerge, toMergeRecord } from './merge-customers.use-case';
import { mergeKeys } from './merge.keys';
import type { MergeRecord } from './merge.schema';
import type { Customer } from './customer.schema';

/**
 * Undoes a merge: every record involved gets its before-image back (as a new version, so ETags
 * stay monotonic), the merged ids are live again, index items and moved contacts return. Refused
 * with 409 `merge_diverged` once the survivor has been changed after the merge (its later edits
 * would be lost); 409 `conflict` when already undone.
 */
export async function undoMerge(deps: CustomerDeps, ctx: SecuredContext, mergeId: string): Promise<{ merge: MergeRecord; survivor: Customer }> {
  const { tenantId } = ctx.principal;
  await getMerge(deps, ctx, mergeId); // 404 unless the caller may see it
  await completeMerge(deps.store, tenantId, mergeId); // a merge still in progress is finished first
  const record = (await deps.store.get(mergeKeys.record(tenantId, mergeId), { consistent: true }))!;
  if (record.status !== 'merged') throw new AppError('conflict', `Merge ${mergeId} is already ${record.status}`);

  const survivorId = record.survivorId as string;
  const mergedIds = record.mergedIds as string[];
  const current = await Promise.all([survivorId, ...mergedIds].map((id) => loadCustomer(deps.store, tenantId, id)));
  const expected = [record.survivorVersion as number, ...(record.mergedVersions as number[])];
  const diverged = current.findIndex((c, i) => !c || c.version !== expected[i]);
  if (diverged >= 0) {
    throw new AppError('merge_diverged', `${diverged === 0 ? 'The survivor' : `Customer ${mergedIds[diverged - 1]}`} has changed since the merge; undo it by hand (the before-images are in the merge's audit entries)`, {
      customerId: diverged === 0 ? survivorId : mergedIds[diverged - 1],
    });
  }
  const befores = await deps.store.batchGet([survivorId, ...mergedIds].map((id) => mergeKeys.before(tenantId, mergeId, id)));
  if (befores.length !== mergedIds.length + 1) throw notFound(`Before-images of merge ${mergeId}`);

  const now = deps.clock.now().toISOString();
  const actor = actorOf(ctx.principal);
  const restored = befores.map((b, i): Customer => ({ ...(b.record as Customer), version: current[i]!.version + 1, updatedAt: now, updatedBy: actor }));
  const operations: TransactOperation[] = [
    ...restored.map((c, i): TransactOperation => ({ type: 'put', item: toProfileItem(tenantId, c), condition: { kind: 'equals', attribute: 'version', value: current[i]!.version } })),
    { type: 'put', item: { ...record, status: 'undoing', undoneAt: now, undoneBy: actor }, condition: { kind: 'equals', attribute: 'status', value: 'merged' } },
    auditPutOperation(auditEntryFrom(ctx, { action: 'customers:merge-undo', resource: 'customer', resourceId: survivorId, detail: { mergeId, restoredIds: mergedIds } }, deps.clock, deps.ids)),
  ];
  try {
    await deps.store.transact(operations);
  } catch (error) {
    if (error instanceof TransactionConflictError) throw new AppError('precondition_failed', 'The merge or one of its customers changed concurrently; retry');
    throw error;
  }
  await completeMerge(deps.store, tenantId, mergeId);
  const done = (await deps.store.get(mergeKeys.record(tenantId, mergeId), { consistent: true }))!;
  const config = await loadCustomerConfig(deps.store, tenantId);
  return { merge: toMergeRecord(done), survivor: await presentCustomer(deps, ctx, restored[0]!, config) };
}
