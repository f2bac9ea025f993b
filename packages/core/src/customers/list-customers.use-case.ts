import * as z from 'zod';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { AppError } from '../errors';
import { customFieldFilterOf, planCustomFieldFilter, type CustomFieldFilter } from '../fields/field-filter';
import type { IndexName, Item, QueryInput, TableStore } from '../ports/table-store.port';
import { fieldAccess, type SecuredContext } from '../access/access-policy';
import { canSeeRecord, orgKey } from '../access/data-scope';
import { belongsToTenant, customerKeys, nameKey } from './customer.keys';
import { rfmKeys } from '../analytics/scoring/rfm-profile';
import { loadCustomerConfig, presentCustomer, toCustomer, type CustomerConfig, type CustomerDeps } from './customer.repository';
import { ListCustomersQuery, type Customer, type CustomerPage } from './customer.schema';

/** A list request: the standard filters plus at most one custom-field filter. */
export type ListCustomersRequest = ListCustomersQuery & { customField?: CustomFieldFilter };

const STANDARD_PARAMS = new Set(Object.keys(ListCustomersQuery.shape));

/**
 * Query schema of `GET /v1/customers`: ListCustomersQuery plus `cf.<key>=<value>` (equality) or
 * `cf.<key>.gte=`/`cf.<key>.lte=` (range on number, currency, date, datetime fields) for one
 * filterable custom field. Values are checked against the field's type by the use case, which
 * knows the tenant's registry; anything else stays an unknown parameter (400).
 */
export const ListCustomersRequestQuery = ListCustomersQuery.catchall(z.string().max(500)).transform((q, ctx): ListCustomersRequest => {
  const { filter, issues } = customFieldFilterOf(q, STANDARD_PARAMS);
  for (const issue of issues) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  const out: Record<string, unknown> = {};
  for (const name of STANDARD_PARAMS) if (q[name] !== undefined) out[name] = q[name];
  return { ...(out as ListCustomersQuery), ...(filter ? { customField: filter } : {}) };
});

/** Index reads per request when residual filters reject items (bounds the cost of a page). */
const MAX_ROUNDS = 5;

interface Plan {
  query: Omit<QueryInput, 'limit' | 'startAfter'>;
  /** Tag and custom-field partitions hold index items that point at profiles (resolved by BatchGet). */
  viaTag: boolean;
  /** Filters the chosen index does not already apply (and, for index items, whether the item is current). */
  residual: (c: Customer, entry: Item) => boolean;
}

/**
 * Lists customers of the caller's tenant, ordered by name, one cursor page at a time. Every filter
 * maps to an index partition (tag item collection, owner, company, kind, or the tenant list), a name
 * prefix narrows the shared `<nameKey>#<id>` sort key, and further filters plus the caller's data
 * domain (docs/data-model.md) are applied to the fetched items, within a bounded number of reads.
 * Callers without tenant scope list their org subtree (gsi5 prefix) or their own customers (gsi2).
 * No request ever scans the tenant.
 */
export async function listCustomers(deps: Pick<CustomerDeps, 'store' | 'encryptor'>, ctx: SecuredContext, q: ListCustomersRequest): Promise<CustomerPage> {
  const configRead = loadCustomerConfig(deps.store, ctx.principal.tenantId);
  const [page, config] = await Promise.all([listStoredCustomers(deps, ctx, q, configRead), configRead]);
  if (config.security.decryptFields.length === 0 && config.fields.length === 0) return page;
  return { ...page, items: await Promise.all(page.items.map((c) => presentCustomer(deps, ctx, c, config))) };
}

async function listStoredCustomers(
  deps: Pick<CustomerDeps, 'store'>,
  ctx: SecuredContext,
  q: ListCustomersRequest,
  configRead: Promise<CustomerConfig>,
): Promise<CustomerPage> {
  const { tenantId } = ctx.principal;
  const filters = { tag: q.tag, ownerId: q.ownerId, kind: q.kind, companyId: q.companyId, namePrefix: q.namePrefix, deleted: q.deleted, pool: q.pool, ...(q.rfmSegment ? { rfm: q.rfmSegment } : {}), ...(q.customField ? { cf: [q.customField.key, q.customField.equals, q.customField.gte, q.customField.lte] } : {}) };
  const fingerprint = queryFingerprint(filters);
  let startAfter = q.after ? decodeCursor(q.after, tenantId, fingerprint, (v) => belongsToTenant(tenantId, v)) : undefined;
  const plan = q.customField ? planCustomFieldQuery(ctx, q, q.customField, (await configRead).fields) : planQuery(ctx, q);

  const items: Customer[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await deps.store.query({ ...plan.query, limit: q.limit, ...(startAfter ? { startAfter } : {}) });
    const profiles = plan.viaTag ? await resolveTagItems(deps.store, page.items) : page.items.map((i) => ({ entry: i, customer: toCustomer(i) }));
    for (let i = 0; i < profiles.length; i++) {
      const { entry, customer } = profiles[i]!;
      if (!customer || !plan.residual(customer, entry)) continue;
      items.push(customer);
      if (items.length === q.limit) {
        const more = i < profiles.length - 1 || page.lastKey !== undefined;
        return { items, next: more ? encodeCursor(tenantId, fingerprint, keyOf(entry, plan.query.index)) : null };
      }
    }
    if (!page.lastKey) return { items, next: null };
    startAfter = page.lastKey;
  }
  return { items, next: startAfter ? encodeCursor(tenantId, fingerprint, startAfter) : null };
}

function planQuery(ctx: SecuredContext, q: ListCustomersQuery): Plan {
  const { tenantId } = ctx.principal;
  const { access } = ctx;
  const prefix = q.namePrefix ? nameKey(q.namePrefix) : undefined;
  const withName = <T extends object>(o: T) => (prefix ? { ...o, sortKey: { beginsWith: prefix } } : o);
  const filters: Array<[boolean, (c: Customer) => boolean]> = [
    [q.ownerId !== undefined, (c) => c.ownerId === q.ownerId],
    [q.kind !== undefined, (c) => c.kind === q.kind],
    [q.companyId !== undefined, (c) => c.companyId === q.companyId],
    [q.tag !== undefined, (c) => c.tags.includes(q.tag!)],
    [q.pool, (c) => c.ownerId === null],
    [q.rfmSegment !== undefined, (c) => c.rfm?.segment === q.rfmSegment],
  ];
  // Every plan re-checks the data domain, so an index never leaks records outside it.
  const residual = (served: (c: Customer) => boolean, checkName = false) => (c: Customer) =>
    (q.deleted ? !!c.deletedAt : !c.deletedAt) &&
    canSeeRecord(access, 'customer', c) &&
    (!checkName || nameKey(c.name).startsWith(prefix!)) &&
    filters.every(([on, test]) => !on || test === served || test(c));
  const none = () => true;

  if (q.deleted) return { query: withName({ index: 'gsi1' as const, partition: customerKeys.tenantList(tenantId, true) }), viaTag: false, residual: residual(none) };
  // Most selective first: tag, company, owner, pool, kind; then the caller's whole domain.
  if (q.tag !== undefined) return { query: withName({ partition: customerKeys.tagPartition(tenantId, q.tag) }), viaTag: true, residual: residual(filters[3]![1]) };
  if (q.companyId !== undefined) return { query: withName({ index: 'gsi4' as const, partition: customerKeys.byCompany(tenantId, q.companyId) }), viaTag: false, residual: residual(filters[2]![1]) };
  if (q.ownerId !== undefined) return { query: withName({ index: 'gsi2' as const, partition: customerKeys.byOwner(tenantId, q.ownerId) }), viaTag: false, residual: residual(filters[0]![1]) };
  // RFM segment members are keyed by customer id (not name): the name prefix is checked per item.
  if (q.rfmSegment !== undefined) return { query: { partition: rfmKeys.segmentPartition(tenantId, q.rfmSegment) }, viaTag: true, residual: residual(filters[5]![1], !!prefix) };
  if (q.pool) return { query: withName({ index: 'gsi2' as const, partition: customerKeys.pool(tenantId) }), viaTag: false, residual: residual(filters[4]![1]) };
  if (q.kind !== undefined && access.dataScope === 'tenant') return { query: withName({ index: 'gsi3' as const, partition: customerKeys.byKind(tenantId, q.kind) }), viaTag: false, residual: residual(filters[1]![1]) };
  if (access.dataScope === 'tenant') return { query: withName({ index: 'gsi1' as const, partition: customerKeys.tenantList(tenantId, false) }), viaTag: false, residual: residual(none) };
  const home = ctx.principal.orgPath;
  if (access.dataScope === 'subtree' && home) {
    // The org subtree is one sort-key prefix of gsi5; the name prefix is then checked per item.
    return { query: { index: 'gsi5' as const, partition: customerKeys.byOrg(tenantId), sortKey: { beginsWith: orgKey(home) } }, viaTag: false, residual: residual(none, !!prefix) };
  }
  // Own scope (or no org unit): the caller's own customers.
  return { query: withName({ index: 'gsi2' as const, partition: customerKeys.byOwner(tenantId, ctx.principal.subject) }), viaTag: false, residual: residual(none) };
}

/**
 * A custom-field filter reads the field's index partition (equality: `<nameKey>#<id>` order, so a
 * name prefix narrows the key; range: value order) and re-checks every other filter, the data
 * domain and the entry itself against the record (docs/data-model.md, "Custom-field indexes").
 */
function planCustomFieldQuery(ctx: SecuredContext, q: ListCustomersQuery, filter: CustomFieldFilter, definitions: CustomerConfig['fields']): Plan {
  if (q.deleted || q.pool) {
    const param = q.deleted ? 'deleted' : 'pool';
    throw new AppError('validation_failed', `Custom-field filters cannot be combined with ${param}=true`, { errors: [{ path: `query.${param}`, message: 'not combinable with cf.* filters' }] });
  }
  // Filtering on a field the caller may not read would reveal its values through the results.
  if (fieldAccess(ctx.access, 'customers', `customFields.${filter.key}`) === 'hidden') {
    throw new AppError('forbidden', `The caller may not read custom field ${filter.key}, so it cannot filter on it`, { field: `customFields.${filter.key}` });
  }
  const prefix = q.namePrefix ? nameKey(q.namePrefix) : undefined;
  const cf = planCustomFieldFilter(ctx.principal.tenantId, definitions, filter, prefix);
  const { access } = ctx;
  return {
    query: cf.query,
    viaTag: true,
    residual: (c, entry) =>
      !c.deletedAt && !c.mergedInto &&
      canSeeRecord(access, 'customer', c) &&
      (!prefix || nameKey(c.name).startsWith(prefix)) &&
      (q.ownerId === undefined || c.ownerId === q.ownerId) &&
      (q.kind === undefined || c.kind === q.kind) &&
      (q.companyId === undefined || c.companyId === q.companyId) &&
      (q.tag === undefined || c.tags.includes(q.tag)) &&
      (q.rfmSegment === undefined || c.rfm?.segment === q.rfmSegment) &&
      cf.matches(entry, c),
  };
}

async function resolveTagItems(store: TableStore, tagItems: Item[]): Promise<Array<{ entry: Item; customer?: Customer }>> {
  const tenantOf = (i: Item) => i.tenantId as string;
  const profiles = await store.batchGet(tagItems.map((t) => customerKeys.profile(tenantOf(t), t.customerId as string)));
  const byId = new Map(profiles.map((p) => [p.id as string, toCustomer(p)]));
  return tagItems.map((entry) => ({ entry, customer: byId.get(entry.customerId as string) }));
}

/** The key a query continues after: table keys plus the index keys when an index was read. */
function keyOf(item: Item, index?: IndexName): Record<string, string> {
  const key: Record<string, string> = { pk: item.pk, sk: item.sk };
  if (index) {
    key[`${index}pk`] = item[`${index}pk`] as string;
    key[`${index}sk`] = item[`${index}sk`] as string;
  }
  return key;
}
