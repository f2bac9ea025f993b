import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import type { Item, TableStore, TransactOperation } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import type { SecuredContext } from '../access/access-policy';
import { AppError, notFound } from '../errors';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import { requireVisibleCustomer } from '../customers/customer.repository';
import { orderIndexAttributes, orderKeys } from './order.keys';
import type { Order } from './order.schema';
import { pickFields } from '../shared/pick-fields';

/** What the order use cases depend on (ports only). */
export interface OrderDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
}

export const ORDER_ENTITY = 'order';

const ORDER_FIELDS = [
  'id', 'customerId', 'amount', 'currency', 'status', 'orderedAt', 'externalId', 'source', 'lines', 'interactionId', 'statusChangedAt',
  'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy',
] as const satisfies readonly (keyof Order)[];

/** The stored item of an order; `requestHash` (the create request's canonical hash) tells a retry from a different order. */
export function toOrderItem(tenantId: string, o: Order, requestHash: string): Item {
  return { ...orderKeys.order(tenantId, o.id), ...orderIndexAttributes(tenantId, o), entity: ORDER_ENTITY, tenantId, requestHash, ...o };
}

/** The API record of a stored order item: record fields only, never keys, tenant or hash. */
export function toOrder(item: Item): Order {
  return pickFields<Order>(item, ORDER_FIELDS);
}

export async function loadOrderItem(store: TableStore, tenantId: string, id: string): Promise<Item | undefined> {
  return store.get(orderKeys.order(tenantId, id), { consistent: true });
}

/**
 * An order the caller may see, or 404: orders live in their customer's world, so the customer's
 * visibility decides (a merged customer's survivor; a deleted customer hides its orders).
 */
export async function requireVisibleOrder(store: TableStore, ctx: SecuredContext, id: string): Promise<Item> {
  const item = await loadOrderItem(store, ctx.principal.tenantId, id);
  if (!item) throw notFound(`Order ${id}`);
  try {
    await requireVisibleCustomer(store, ctx, item.customerId as string, { followMerged: true });
  } catch (error) {
    if (error instanceof AppError && (error.code === 'not_found' || error.code === 'customer_merged')) throw notFound(`Order ${id}`);
    throw error;
  }
  return item;
}

/** The audit record of an order change, written in the change's own transaction. */
export function orderAuditOperation(
  deps: Pick<OrderDeps, 'clock' | 'ids'>,
  ctx: RequestContext,
  action: string,
  before: Order | undefined,
  after: Order,
  detail?: Record<string, unknown>,
): TransactOperation {
  return auditPutOperation(auditEntryFrom(ctx, {
    action, resource: 'order', resourceId: after.id,
    changes: diffChanges(before as Record<string, unknown> | undefined, after as Record<string, unknown>),
    ...(detail ? { detail } : {}),
  }, deps.clock, deps.ids));
}

/** The actor of changes the platform makes on its own (stream consumers). */
