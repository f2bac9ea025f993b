import { TransactionConflictError, type TransactOperation } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { AppError } from '../errors';
import { assertWritable, type SecuredContext } from '../access/access-policy';
import { actorOf, requestHash, requireVisibleCustomer } from '../customers/customer.repository';
import { orderKeys } from './order.keys';
import { loadOrderItem, orderAuditOperation, toOrder, toOrderItem, type OrderDeps } from './order.repository';
import { applyStatsChange, loadOrderStats, orderStatsPutOperation } from './order-stats';
import type { CreateOrderInput, Order } from './order.schema';

/** Stats-item conflicts (another order of the same customer written at the same moment) retried before giving up. */
export const MAX_STATS_RETRIES = 10;

/** A short jittered pause before re-reading the stats, so concurrent writers of one customer spread out. */
export function statsRetryPause(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 10 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
}

/** externalId prefix of orders made from interactions (`interaction:<interactionId>`); reserved. */
export const INTERACTION_EXTERNAL_ID_PREFIX = 'interaction:';

export interface RecordOrderResult {
  order: Order;
  /** False when the (source, externalId) was already recorded with the same content: nothing was written. */
  created: boolean;
}

/**
 * `POST /v1/orders`: records an order of a customer the caller can see (a merged customer's id lands
 * on its survivor). In one transaction: the order, its external-id claim (notExists: one order per
 * tenant, source and shop order number), the customer's order stats (version-checked
 * read-modify-write, retried on conflict) and the audit entry.
 *
 * Idempotency by `externalId`: re-posting the same order (same content after normalisation, same
 * resolved customer) answers the existing order with `created: false` (HTTP 200); the same
 * `(source, externalId)` with different content is a 409 `conflict` naming the existing order.
 * The comparison is against the request that created the order, so a later status change does not
 * turn a retry of the original request into a conflict.
 */
export async function createOrder(deps: OrderDeps, ctx: SecuredContext, input: CreateOrderInput, options: { rawBody?: unknown } = {}): Promise<RecordOrderResult> {
  assertWritable(ctx.access, 'orders', (options.rawBody ?? input) as Record<string, unknown>);
  if (input.externalId?.startsWith(INTERACTION_EXTERNAL_ID_PREFIX)) {
    // Reserved for orders made from interactions: an API caller could otherwise pre-empt one.
    throw new AppError('validation_failed', `externalId must not start with ${INTERACTION_EXTERNAL_ID_PREFIX}`, {
      errors: [{ path: 'body.externalId', message: `the prefix ${INTERACTION_EXTERNAL_ID_PREFIX} is reserved` }],
    });
  }
  const customer = await requireVisibleCustomer(deps.store, ctx, input.customerId, { followMerged: true });
  return recordOrder(deps, ctx, { ...input, customerId: customer.id }, {});
}

/**
 * Records an order for a resolved customer id (callers check visibility; the interaction consumer
 * acts as the platform). Shared by the API and the POS / e-commerce consumer.
 */
export async function recordOrder(
  deps: OrderDeps,
  ctx: RequestContext,
  input: CreateOrderInput,
  extra: { interactionId?: string; shopRef?: string },
): Promise<RecordOrderResult> {
  const { tenantId } = ctx.principal;
  const hash = requestHash(input);
  const claimKey = input.externalId !== undefined ? orderKeys.externalId(tenantId, input.source, input.externalId) : undefined;
  const shopKey = extra.shopRef !== undefined ? orderKeys.shopOrder(tenantId, input.source, extra.shopRef) : undefined;
  if (claimKey) {
    const existing = await existingByClaim(deps, tenantId, claimKey, hash);
    if (existing) return existing;
  }
  if (shopKey) {
    const existing = await existingByShopOrder(deps, tenantId, shopKey);
    if (existing) return existing;
  }

  const now = deps.clock.now().toISOString();
  const actor = actorOf(ctx.principal);
  const order: Order = {
    id: deps.ids.next(),
    customerId: input.customerId,
    amount: input.amount,
    currency: input.currency,
    status: input.status,
    orderedAt: input.orderedAt,
    ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
    source: input.source,
    ...(input.lines ? { lines: input.lines } : {}),
    ...(extra.interactionId ? { interactionId: extra.interactionId } : {}),
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: actor,
    updatedBy: actor,
  };

  for (let attempt = 0; ; attempt += 1) {
    const stats = await loadOrderStats(deps.store, tenantId, order.customerId);
    const next = applyStatsChange(stats, { kind: 'recorded', order });
    const operations: TransactOperation[] = [
      { type: 'put', item: toOrderItem(tenantId, order, hash), condition: { kind: 'notExists' } },
      orderStatsPutOperation(tenantId, stats, next, deps.clock.now()),
      orderAuditOperation(deps, ctx, 'orders:create', undefined, order),
    ];
    if (claimKey) {
      operations.push({
        type: 'put', condition: { kind: 'notExists' },
        item: { ...claimKey, entity: 'order-external-id', tenantId, orderId: order.id, source: input.source, externalId: input.externalId },
      });
    }
    const claimIndex = claimKey ? operations.length - 1 : -1;
    if (shopKey) {
      operations.push({ type: 'put', condition: { kind: 'notExists' }, item: { ...shopKey, entity: 'order-shop-ref', tenantId, orderId: order.id, source: input.source, shopRef: extra.shopRef } });
    }
    const shopIndex = shopKey ? operations.length - 1 : -1;
    try {
      await deps.store.transact(operations);
      return { order, created: true };
    } catch (error) {
      if (!(error instanceof TransactionConflictError)) throw error;
      if (claimKey && error.failedIndexes.includes(claimIndex)) {
        // A concurrent request with the same shop order number won: answer like a retry.
        const existing = await existingByClaim(deps, tenantId, claimKey, hash);
        if (existing) return existing;
      }
      if (shopKey && error.failedIndexes.includes(shopIndex)) {
        const existing = await existingByShopOrder(deps, tenantId, shopKey);
        if (existing) return existing;
      }
      if (!error.failedIndexes.includes(1)) throw error;
      if (attempt >= MAX_STATS_RETRIES) throw new AppError('service_unavailable', "The customer's orders are being written concurrently; retry");
      await statsRetryPause(attempt);
    }
  }
}

/** The order already made from another paid event of the same shop order (no content check: events differ). */
async function existingByShopOrder(deps: OrderDeps, tenantId: string, shopKey: { pk: string; sk: string }): Promise<RecordOrderResult | undefined> {
  const ref = await deps.store.get(shopKey, { consistent: true });
  const item = ref ? await loadOrderItem(deps.store, tenantId, ref.orderId as string) : undefined;
  return item ? { order: toOrder(item), created: false } : undefined;
}

/** The order already recorded under a claim: a replay (same request) or a 409 (different content). */
async function existingByClaim(deps: OrderDeps, tenantId: string, claimKey: { pk: string; sk: string }, hash: string): Promise<RecordOrderResult | undefined> {
  const claim = await deps.store.get(claimKey, { consistent: true });
  if (!claim) return undefined;
  const item = await loadOrderItem(deps.store, tenantId, claim.orderId as string);
  if (!item) return undefined;
  if (item.requestHash !== hash) {
    throw new AppError('conflict', `Order ${String(claim.externalId)} of source ${String(claim.source)} was already recorded with different content`, {
      orderId: item.id,
      errors: [{ path: 'body.externalId', message: 'already recorded with different content' }],
    });
  }
  return { order: toOrder(item), created: false };
}
