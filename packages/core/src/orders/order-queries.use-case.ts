import type { Item, QueryInput, SortKeyCondition, TableStore } from '../ports/table-store.port';
import { canSeeRecord } from '../access/data-scope';
import type { SecuredContext } from '../access/access-policy';
import { customerKeys } from '../customers/customer.keys';
import { followMerges, requireVisibleCustomer, toCustomer } from '../customers/customer.repository';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { orderKeys } from './order.keys';
import { requireVisibleOrder, toOrder } from './order.repository';
import { loadOrderStats } from './order-stats';
import type { ListOrdersQuery, Order, OrderStats } from './order.schema';

/** Index pages read per request when filters (status, data scope) thin them out (then a short page with `next`). */
const MAX_FILTERED_PAGES = 5;
const FILTERED_PAGE_SIZE = 200;

/** `GET /v1/orders/{id}`: 404 when absent or when its customer is not visible to the caller. */
export async function getOrder(deps: { store: TableStore }, ctx: SecuredContext, id: string): Promise<Order> {
  return toOrder(await requireVisibleOrder(deps.store, ctx, id));
}

/**
 * `GET /v1/orders`: with `customerId`, that customer's orders (gsi1; a merged id answers with its
 * survivor's orders; the customer must be visible); without, every order of the tenant (gsi2, the
 * analytics export path), keeping only orders whose customer the caller may see unless its data
 * scope is the whole tenant. `from`/`to` are one sort-key range on orderedAt; `status` filters the
 * fetched items within at most 5 pages. Newest first unless `sort=asc`. Opaque cursors bound to
 * tenant and filters.
 */
export async function listOrders(deps: { store: TableStore }, ctx: SecuredContext, query: ListOrdersQuery): Promise<{ items: Order[]; next: string | null }> {
  const { tenantId } = ctx.principal;
  const customer = query.customerId ? await requireVisibleCustomer(deps.store, ctx, query.customerId, { followMerged: true }) : undefined;
  const index = customer ? 'gsi1' : 'gsi2';
  const partition = customer ? orderKeys.byCustomer(tenantId, customer.id) : orderKeys.tenantOrders(tenantId);
  const fingerprint = queryFingerprint({ customerId: customer?.id, status: query.status, from: query.from, to: query.to, sort: query.sort });
  // A cursor's keys must be this query's index partition or an order item of the tenant.
  const ownKey = (v: string) => v === partition || v.startsWith(`T#${tenantId}#ORDER#`);
  let startAfter = query.after ? decodeCursor(query.after, tenantId, fingerprint, ownKey) : undefined;
  const sortKey = orderedAtRange(query.from, query.to);
  const scoped = !customer && ctx.access.dataScope !== 'tenant';
  const filtered = query.status !== undefined || scoped;

  const items: Order[] = [];
  for (let pages = 0; pages < (filtered ? MAX_FILTERED_PAGES : 1); pages += 1) {
    const request: QueryInput = {
      index, partition, forward: query.sort === 'asc', limit: filtered ? FILTERED_PAGE_SIZE : query.limit - items.length,
      ...(sortKey ? { sortKey } : {}), ...(startAfter ? { startAfter } : {}),
    };
    const page = await deps.store.query(request);
    const visible = scoped ? await visibleCustomerIds(deps.store, ctx, page.items) : undefined;
    for (let i = 0; i < page.items.length; i += 1) {
      const item = page.items[i]!;
      if ((query.status && item.status !== query.status) || (visible && !visible.has(item.customerId as string))) continue;
      items.push(toOrder(item));
      if (items.length === query.limit) {
        const more = i < page.items.length - 1 || page.lastKey !== undefined;
        return { items, next: more ? encodeCursor(tenantId, fingerprint, keyOf(item, index)) : null };
      }
    }
    if (!page.lastKey) return { items, next: null };
    startAfter = page.lastKey;
  }
  return { items, next: startAfter ? encodeCursor(tenantId, fingerprint, startAfter) : null };
}

/** `GET /v1/customers/{id}/order-stats`: the visible customer's (survivor's) per-currency totals. */
export async function getOrderStats(deps: { store: TableStore }, ctx: SecuredContext, customerId: string): Promise<OrderStats> {
  const customer = await requireVisibleCustomer(deps.store, ctx, customerId, { followMerged: true });
  return loadOrderStats(deps.store, ctx.principal.tenantId, customer.id);
}

function orderedAtRange(from: string | undefined, to: string | undefined): SortKeyCondition | undefined {
  if (from && to) return { between: [orderKeys.from(from), orderKeys.to(to)] };
  if (from) return { gte: orderKeys.from(from) };
  if (to) return { lte: orderKeys.to(to) };
  return undefined;
}

function keyOf(item: Item, index: 'gsi1' | 'gsi2'): Record<string, string> {
  return { pk: item.pk, sk: item.sk, [`${index}pk`]: item[`${index}pk`] as string, [`${index}sk`]: item[`${index}sk`] as string };
}

/** The customers (by id as stored on the orders) the caller may see: one BatchGet per page, merges followed. */
async function visibleCustomerIds(store: TableStore, ctx: SecuredContext, orders: Item[]): Promise<Set<string>> {
  const { tenantId } = ctx.principal;
  const ids = [...new Set(orders.map((o) => o.customerId as string))];
  const profiles = new Map((await store.batchGet(ids.map((id) => customerKeys.profile(tenantId, id)))).map((i) => [i.id as string, toCustomer(i)] as const));
  const visible = new Set<string>();
  for (const id of ids) {
    const c = await followMerges(store, tenantId, profiles.get(id));
    if (c && !c.deletedAt && !c.mergedInto && canSeeRecord(ctx.access, 'customer', c)) visible.add(id);
  }
  return visible;
}
