import { AppError } from '../errors';
import type { SecuredContext } from '../access/access-policy';
import {
  actorOf, assertIfMatch, customerAuditOperation, loadCustomerConfig, openCustomer, openForCaller, requireVisibleCustomer, toProfileItem, type CustomerDeps,
} from './customer.repository';
import { derivedItemOperations } from './derived-items';
import { writeVersioned } from './write-versioned';
import type { Customer } from './customer.schema';
import { assertNotArchived } from './archived-customer';

/**
 * Soft-deletes a customer: the record moves to the tenant's trash list (out of every other list and
 * filter), its tag items are removed, and it can be restored. If-Match is honoured when sent.
 */
export async function deleteCustomer(deps: CustomerDeps, ctx: SecuredContext, id: string, ifMatch?: string): Promise<Customer> {
  const { tenantId } = ctx.principal;
  const current = await requireVisibleCustomer(deps.store, ctx, id);
  assertNotArchived(current);
  if (ifMatch) assertIfMatch(ifMatch, current);
  const now = deps.clock.now().toISOString();
  const actor = actorOf(ctx.principal);
  const deleted: Customer = { ...current, version: current.version + 1, updatedAt: now, updatedBy: actor, deletedAt: now, deletedBy: actor };
  const { security, fields } = await loadCustomerConfig(deps.store, tenantId, { consistent: true });
  const plain = await openCustomer(deps, tenantId, current, security);
  await writeVersioned(deps.store, tenantId, current, [
    { type: 'put', item: toProfileItem(tenantId, deleted) },
    ...derivedItemOperations(tenantId, plain, { ...plain, deletedAt: now }, { fields, sensitiveFields: security.sensitiveFields }),
    customerAuditOperation(deps, ctx, 'customers:delete', current, deleted, { keepBefore: true }),
  ]);
  return deleted;
}

/** Brings a soft-deleted customer back into its lists, tags included. */
export async function restoreCustomer(deps: CustomerDeps, ctx: SecuredContext, id: string): Promise<Customer> {
  const { tenantId } = ctx.principal;
  const current = await requireVisibleCustomer(deps.store, ctx, id, { includeDeleted: true });
  if (!current.deletedAt) throw new AppError('not_deleted', `Customer ${id} is not deleted`);
  const { deletedAt: _deletedAt, deletedBy: _deletedBy, ...rest } = current;
  const restored: Customer = { ...rest, version: current.version + 1, updatedAt: deps.clock.now().toISOString(), updatedBy: actorOf(ctx.principal) };
  const { security, fields } = await loadCustomerConfig(deps.store, tenantId, { consistent: true });
  const plain = await openCustomer(deps, tenantId, restored, security);
  await writeVersioned(deps.store, tenantId, current, [
    { type: 'put', item: toProfileItem(tenantId, restored) },
    ...derivedItemOperations(tenantId, undefined, plain, { fields, sensitiveFields: security.sensitiveFields }),
    customerAuditOperation(deps, ctx, 'customers:restore', current, restored),
  ]);
  return openForCaller(deps, ctx, restored);
}
