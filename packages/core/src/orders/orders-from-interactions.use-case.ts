import { AppError } from '../errors';
import { followMerges, loadCustomer } from '../customers/customer.repository';
import { MAX_ORDER_LINES, CreateOrderInput, type OrderStatus } from './order.schema';
import { orderKeys } from './order.keys';
import { systemContext } from '../principal';
import { loadOrderItem, type OrderDeps } from './order.repository';
import { INTERACTION_EXTERNAL_ID_PREFIX, recordOrder } from './record-order.use-case';
import { applyOrderStatusChange } from './change-order-status.use-case';

/** The actor of orders made from interactions (audit, createdBy). */
export const ORDERS_FROM_INTERACTIONS_ACTOR = 'system:orders-from-interactions';

/** What an interaction means for orders: a paid shop order, its refund or cancellation, or nothing. */
export type InteractionOrderFact =
  | { kind: 'paid'; input: CreateOrderInput; shopRef: string }
  | { kind: 'reversed'; source: string; shopRef: string; to: Extract<OrderStatus, 'refunded' | 'cancelled'>; amount: number; currency: string };

/**
 * The order fact an interaction item stands for, or undefined (other channel or type, a shop status
 * that is neither paid nor a reversal, a copy moved by a merge, a malformed payload). Mapping over
 * the channel registry (interactions/channels.ts):
 * - `pos_purchase/purchase` → paid, source `pos`, shop order `<storeId>/<orderId>`;
 * - `pos_purchase/refund` → refunded (full refunds: the amount must equal the order's);
 * - `ecommerce_order/order` → `status: paid` is paid, `refunded` / `cancelled` reverse it, source
 *   `ecommerce`, shop order `<platform>/<shopId or ->/<orderId>`; created / shipped / completed are
 *   the same sale's progress, not sales.
 */
export function orderFactFromInteraction(item: Record<string, unknown>): InteractionOrderFact | undefined {
  if (item.entity !== 'interaction' || item.movedByMerge) return undefined;
  const p = (item.payload ?? {}) as Record<string, unknown>;
  let source: string;
  let shopRef: string;
  let status: 'paid' | 'refunded' | 'cancelled' | undefined;
  if (item.channel === 'pos_purchase' && (item.type === 'purchase' || item.type === 'refund')) {
    source = 'pos';
    shopRef = `${String(p.storeId)}/${String(p.orderId)}`;
    status = item.type === 'purchase' ? 'paid' : 'refunded';
  } else if (item.channel === 'ecommerce_order' && item.type === 'order') {
    source = 'ecommerce';
    shopRef = `${String(p.platform)}/${typeof p.shopId === 'string' ? p.shopId : '-'}/${String(p.orderId)}`;
    status = p.status === 'paid' || p.status === 'refunded' || p.status === 'cancelled' ? p.status : undefined;
  } else {
    return undefined;
  }
  if (!status || typeof p.orderId !== 'string' || typeof p.amount !== 'number' || typeof p.currency !== 'string') return undefined;
  if (status !== 'paid') return { kind: 'reversed', source, shopRef, to: status, amount: p.amount, currency: p.currency };
  const lines = Array.isArray(p.lines) ? p.lines.slice(0, MAX_ORDER_LINES) : undefined;
  const parsed = CreateOrderInput.safeParse({
    customerId: item.customerId, amount: p.amount, currency: p.currency, status: 'paid', orderedAt: item.occurredAt,
    externalId: `${INTERACTION_EXTERNAL_ID_PREFIX}${String(item.id)}`, source, ...(lines ? { lines } : {}),
  });
  return parsed.success ? { kind: 'paid', input: parsed.data, shopRef } : undefined;
}

/** The order a paid interaction becomes (undefined when it is none). */
export function orderFromInteraction(item: Record<string, unknown>): CreateOrderInput | undefined {
  const fact = orderFactFromInteraction(item);
  return fact?.kind === 'paid' ? fact.input : undefined;
}

export type OrderFromInteractionOutcome = 'recorded' | 'duplicate' | 'status-changed' | 'skipped';

/**
 * Change-feed consumer step (the ingestion path is untouched). A newly inserted POS purchase or paid
 * e-commerce order interaction becomes an order of its customer (a merged customer's survivor),
 * idempotently: externalId `interaction:<interactionId>` and the shop order (`T#t#ORDERSHOP#…`) are
 * claimed in the order's transaction, so a redelivered record, a copy moved by a merge or a second
 * paid event of the same shop order writes nothing twice. A refund / cancellation interaction moves
 * the shop order's paid order to refunded / cancelled (a partial refund, another currency or a
 * reversal that arrives before its purchase changes nothing).
 */
export async function recordOrderFromInteraction(deps: OrderDeps, item: Record<string, unknown>): Promise<OrderFromInteractionOutcome> {
  const fact = orderFactFromInteraction(item);
  const tenantId = item.tenantId;
  if (!fact || typeof tenantId !== 'string') return 'skipped';
  const ctx = systemContext(tenantId, ORDERS_FROM_INTERACTIONS_ACTOR);

  if (fact.kind === 'reversed') {
    const ref = await deps.store.get(orderKeys.shopOrder(tenantId, fact.source, fact.shopRef), { consistent: true });
    const order = ref ? await loadOrderItem(deps.store, tenantId, ref.orderId as string) : undefined;
    if (!order || order.status !== 'paid' || order.currency !== fact.currency) return 'skipped';
    if (fact.to === 'refunded' && Math.round((order.amount as number) * 100) !== Math.round(fact.amount * 100)) return 'skipped';
    await applyOrderStatusChange(deps, ctx, order, fact.to, { interactionId: String(item.id) });
    return 'status-changed';
  }

  const customer = await followMerges(deps.store, tenantId, await loadCustomer(deps.store, tenantId, fact.input.customerId));
  if (!customer || customer.mergedInto) return 'skipped';
  try {
    const { created } = await recordOrder(deps, ctx, { ...fact.input, customerId: customer.id }, { interactionId: String(item.id), shopRef: fact.shopRef });
    return created ? 'recorded' : 'duplicate';
  } catch (error) {
    // Already recorded, on the customer as it was then (a merge since changes the resolved id).
    if (error instanceof AppError && error.code === 'conflict') return 'duplicate';
    throw error;
  }
}
