import { AppError } from '../errors';
import { TransactionConflictError, type TransactOperation } from '../ports/table-store.port';
import type { SecuredContext } from '../access/access-policy';
import { actorOf, customerAuditOperation, loadCustomer, openForCaller, requireVisibleCustomer, toProfileItem, type CustomerDeps } from './customer.repository';
import { systemContext } from '../principal';
import type { Customer } from './customer.schema';
import { assertNotArchived } from './archived-customer';

/** Claims per rep per UTC day (anti-hoarding); tenants will be able to change it with the pool settings. */
export const DEFAULT_DAILY_CLAIM_QUOTA = 20;
/** Days a claimed customer stays with its rep without being touched before it returns to the pool. */
export const DEFAULT_PROTECTION_DAYS = 30;

const quotaKey = (tenantId: string, subject: string, day: string) => ({ pk: `T#${tenantId}#CLAIMQUOTA#${subject}`, sk: day });

/**
 * The claim lease: an item whose TTL is the end of the protection period. Every write to the
 * customer by its owner renews it; when it expires, DynamoDB's TTL deletes it and the stream
 * consumer `return-expired-claims` puts the customer back into the pool (locally: the TTL sweeper
 * and the change feed do the same). Until then, an expired lease already lets other reps claim.
 */
export const claimLeaseKey = (tenantId: string, customerId: string) => ({ pk: `T#${tenantId}#C#${customerId}`, sk: 'CLAIMLEASE' });

export function claimLeaseOperation(tenantId: string, c: Customer, now: Date, protectionDays = DEFAULT_PROTECTION_DAYS): TransactOperation {
  return {
    type: 'put',
    item: {
      ...claimLeaseKey(tenantId, c.id), entity: 'claim-lease', tenantId, customerId: c.id, ownerId: c.ownerId, claimedAt: c.claimedAt,
      expiresAt: Math.floor(now.getTime() / 1000) + protectionDays * 86_400,
    },
  };
}

/** Whether a claimed customer's protection period has run out (its lease is gone or expired). */
async function protectionExpired(deps: CustomerDeps, tenantId: string, c: Customer): Promise<boolean> {
  if (c.ownerId === null || !c.claimedAt) return false;
  return (await deps.store.get(claimLeaseKey(tenantId, c.id), { consistent: true })) === undefined;
}

/**
 * Takes a customer from the public pool (ownerId null). Anti-collision: the profile write is
 * conditional on the version read while it was still in the pool, so of many concurrent claims
 * exactly one wins and the others answer 409 with the current owner. The rep's daily quota counter
 * is updated in the same transaction.
 */
export async function claimCustomer(deps: CustomerDeps, ctx: SecuredContext, id: string, quota = DEFAULT_DAILY_CLAIM_QUOTA): Promise<Customer> {
  const { tenantId, subject } = ctx.principal;
  if (ctx.principal.kind !== 'user') throw new AppError('forbidden', 'Only users can claim customers');
  const current = await requireVisibleCustomer(deps.store, ctx, id);
  assertNotArchived(current);
  if (current.ownerId !== null && !(await protectionExpired(deps, tenantId, current))) throw alreadyOwned(current);

  const now = deps.clock.now();
  const day = now.toISOString().slice(0, 10);
  const counter = await deps.store.get(quotaKey(tenantId, subject, day), { consistent: true });
  const used = (counter?.count as number | undefined) ?? 0;
  if (used >= quota) throw new AppError('conflict', `Daily claim quota of ${quota} reached`, { quota, used });

  const claimed: Customer = {
    ...current, ownerId: subject, claimedAt: now.toISOString(),
    version: current.version + 1, updatedAt: now.toISOString(), updatedBy: actorOf(ctx.principal),
  };
  const operations: TransactOperation[] = [
    { type: 'put', item: toProfileItem(tenantId, claimed), condition: { kind: 'equals', attribute: 'version', value: current.version } },
    {
      type: 'put',
      item: { ...quotaKey(tenantId, subject, day), entity: 'claim-quota', tenantId, count: used + 1, expiresAt: Math.floor(now.getTime() / 1000) + 2 * 86_400 },
      condition: counter ? { kind: 'equals', attribute: 'count', value: used } : { kind: 'notExists' },
    },
    claimLeaseOperation(tenantId, claimed, now),
    customerAuditOperation(deps, ctx, 'customers:claim', current, claimed, { detail: { quotaUsed: used + 1, quota } }),
  ];
  try {
    await deps.store.transact(operations);
  } catch (error) {
    if (error instanceof TransactionConflictError) {
      const now = await loadCustomer(deps.store, tenantId, id);
      if (now && now.ownerId !== null && now.version !== current.version) throw alreadyOwned(now);
      throw new AppError('conflict', 'A concurrent claim interfered; retry');
    }
    throw error;
  }
  return openForCaller(deps, ctx, claimed);
}

/** Returns a customer to the public pool. The owner may release; tenant-wide roles may release any. */
export async function releaseCustomer(deps: CustomerDeps, ctx: SecuredContext, id: string): Promise<Customer> {
  const { tenantId, subject } = ctx.principal;
  const current = await requireVisibleCustomer(deps.store, ctx, id);
  assertNotArchived(current);
  if (current.ownerId === null) throw new AppError('conflict', 'The customer is already in the public pool');
  if (current.ownerId !== subject && ctx.access.dataScope !== 'tenant') {
    throw new AppError('forbidden', 'Only the owner (or a tenant-wide role) can release a customer');
  }
  const now = deps.clock.now().toISOString();
  const { claimedAt: _claimedAt, ...rest } = current;
  const released: Customer = { ...rest, ownerId: null, version: current.version + 1, updatedAt: now, updatedBy: actorOf(ctx.principal) };
  try {
    await deps.store.transact([
      { type: 'put', item: toProfileItem(tenantId, released), condition: { kind: 'equals', attribute: 'version', value: current.version } },
      { type: 'delete', key: claimLeaseKey(tenantId, id) },
      customerAuditOperation(deps, ctx, 'customers:release', current, released),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflictError) throw new AppError('precondition_failed', 'The customer changed concurrently; re-read it');
    throw error;
  }
  return openForCaller(deps, ctx, released);
}

function alreadyOwned(c: Customer): AppError {
  return new AppError('conflict', `Customer ${c.id} is owned by ${c.ownerId}`, { currentOwner: c.ownerId });
}

/**
 * Stream side of the protection period: a claim lease was removed by TTL. If the customer is still
 * owned under that same claim, it goes back to the pool. Idempotent (a redelivered record finds the
 * customer already released or re-claimed and does nothing).
 */
export async function returnExpiredClaim(deps: CustomerDeps, lease: { tenantId: string; customerId: string; ownerId: string; claimedAt: string }): Promise<Customer | undefined> {
  const current = await loadCustomer(deps.store, lease.tenantId, lease.customerId);
  if (!current || current.ownerId !== lease.ownerId || current.claimedAt !== lease.claimedAt) return undefined;
  const { claimedAt: _claimedAt, ...rest } = current;
  const now = deps.clock.now().toISOString();
  const released: Customer = { ...rest, ownerId: null, version: current.version + 1, updatedAt: now, updatedBy: 'system:claim-protection' };
  try {
    await deps.store.transact([
      { type: 'put', item: toProfileItem(lease.tenantId, released), condition: { kind: 'equals', attribute: 'version', value: current.version } },
      customerAuditOperation(deps, systemContext(lease.tenantId, 'system:claim-protection'), 'customers:release', current, released, { detail: { reason: 'protection period ended' } }),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflictError) return undefined; // changed meanwhile: the next change decides
    throw error;
  }
  return released;
}

/** The actor of changes the platform makes on its own (schedules, TTL-driven consumers). */
