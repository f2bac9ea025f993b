import { TransactionConflictError, type Item, type TransactOperation } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { AppError, notFound } from '../errors';
import { assertWritable, type SecuredContext } from '../access/access-policy';
import { assertIfMatchVersion, etagOf } from '../shared/etag';
import { actorOf } from '../customers/customer.repository';
import { loadOrderItem, orderAuditOperation, requireVisibleOrder, toOrder, toOrderItem, type OrderDeps } from './order.repository';
import { applyStatsChange, loadOrderStats, orderStatsPutOperation } from './order-stats';
import { MAX_STATS_RETRIES, statsRetryPause } from './record-order.use-case';
import { ORDER_TRANSITIONS, type Order, type OrderStatus, type UpdateOrderInput } from './order.schema';

/**
 * `PATCH /v1/orders/{id}`: a status change (paid → refunded | cancelled; both final). Needs the
 * ETag as If-Match (428 without, 412 when stale). An illegal transition is a 409 `conflict` naming
 * from and to. See applyOrderStatusChange for the write.
 */
export async function changeOrderStatus(deps: OrderDeps, ctx: SecuredContext, id: string, input: UpdateOrderInput, ifMatch: string | undefined): Promise<Order> {
  if (!ifMatch) throw new AppError('precondition_required', 'Send the ETag you read as If-Match');
  const item = await requireVisibleOrder(deps.store, ctx, id);
  assertIfMatchVersion(ifMatch, item.version as number, 'The order');
  assertWritable(ctx.access, 'orders', { status: input.status });
  return applyOrderStatusChange(deps, ctx, item, input.status, input.reason !== undefined ? { reason: input.reason } : undefined);
}

/**
 * Writes a status change of a stored order in one transaction: the order (conditional on the version
 * read: 412 when it moved), the customer's order stats (version-checked, retried on conflict) and
 * the audit entry (`detail`: reason, source interaction). The stats belong to the customer the
 * order was recorded on.
 */
export async function applyOrderStatusChange(deps: OrderDeps, ctx: RequestContext, item: Item, to: OrderStatus, detail?: Record<string, unknown>): Promise<Order> {
  const { tenantId } = ctx.principal;
  const current = toOrder(item);
  if (!ORDER_TRANSITIONS[current.status].includes(to)) {
    throw new AppError('conflict', `An order in status ${current.status} cannot become ${to}`, { from: current.status, to });
  }
  const now = deps.clock.now().toISOString();
  const updated: Order = { ...current, status: to, statusChangedAt: now, version: current.version + 1, updatedAt: now, updatedBy: actorOf(ctx.principal) };
  for (let attempt = 0; ; attempt += 1) {
    const stats = await loadOrderStats(deps.store, tenantId, current.customerId);
    const next = applyStatsChange(stats, { kind: 'status-changed', order: current, from: current.status, to });
    const operations: TransactOperation[] = [
      { type: 'put', item: toOrderItem(tenantId, updated, item.requestHash as string), condition: { kind: 'equals', attribute: 'version', value: current.version } },
      orderStatsPutOperation(tenantId, stats, next, deps.clock.now()),
      orderAuditOperation(deps, ctx, 'orders:update', current, updated, detail),
    ];
    try {
      await deps.store.transact(operations);
      return updated;
    } catch (error) {
      if (!(error instanceof TransactionConflictError)) throw error;
      if (error.failedIndexes.includes(0)) {
        const latest = await loadOrderItem(deps.store, tenantId, current.id);
        if (!latest) throw notFound(`Order ${current.id}`);
        throw new AppError('precondition_failed', 'The order was changed concurrently; re-read it and retry', { currentEtag: etagOf(latest.version as number) });
      }
      if (!error.failedIndexes.includes(1)) throw error;
      if (attempt >= MAX_STATS_RETRIES) throw new AppError('service_unavailable', "The customer's orders are being written concurrently; retry");
      await statsRetryPause(attempt);
    }
  }
}
