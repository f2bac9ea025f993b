/**
 * Every key of the customer entity, defined once and tested offline (test/unit/core/customer-keys.test.ts).
 * Tenant id is the first segment of every partition key, GSI keys included (IAM LeadingKeys-ready).
 * All list indexes sort by `<nameKey>#<id>`, so a name-prefix filter composes with any of them.
 * See docs/data-model.md for the access-pattern table.
 */
import { orgKey } from '../access/data-scope';
import type { Item, ItemKey } from '../ports/table-store.port';

export const PROFILE_SK = 'PROFILE';

const tenantPrefix = (tenantId: string) => `T#${tenantId}`;

/** Case-, width- and accent-stable folding of a name for sorting and prefix search. */
export function nameKey(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[#\u0000-\u001f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 100);
}

export const customerKeys = {
  /** The customer's item collection: profile now; timeline items, notes, etc. later. */
  partition: (tenantId: string, id: string) => `${tenantPrefix(tenantId)}#C#${id}`,
  profile: (tenantId: string, id: string): ItemKey => ({ pk: customerKeys.partition(tenantId, id), sk: PROFILE_SK }),
  /** gsi1: all live customers of a tenant (or the trash), by name. */
  tenantList: (tenantId: string, deleted: boolean) => `${tenantPrefix(tenantId)}#CUST${deleted ? '#DELETED' : ''}`,
  /** gsi2: customers of one owner. */
  byOwner: (tenantId: string, ownerId: string) => `${tenantPrefix(tenantId)}#OWNER#${ownerId}`,
  /** gsi3: customers of one kind. */
  byKind: (tenantId: string, kind: string) => `${tenantPrefix(tenantId)}#KIND#${kind}`,
  /** gsi4: contacts (persons) of one company. */
  byCompany: (tenantId: string, companyId: string) => `${tenantPrefix(tenantId)}#COMPANY#${companyId}`,
  /** gsi2 for customers without owner: the tenant's public pool. */
  pool: (tenantId: string) => `${tenantPrefix(tenantId)}#POOL`,
  /** gsi5: customers by owning org unit; sort key `<orgKey>#<nameKey>#<id>` so a subtree is one prefix. */
  byOrg: (tenantId: string) => `${tenantPrefix(tenantId)}#CUSTORG`,
  orgSortKey: (orgPath: string, name: string, id: string) => `${orgKey(orgPath)}#${nameKey(name)}#${id}`,
  /** Sort key shared by all list indexes and tag items. */
  listSortKey: (name: string, id: string) => `${nameKey(name)}#${id}`,
  /** Tag membership item: one per (tag, customer), in the table itself (GSIs cannot index lists). */
  tag: (tenantId: string, tag: string, name: string, id: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#TAG#${tag}`,
    sk: customerKeys.listSortKey(name, id),
  }),
  tagPartition: (tenantId: string, tag: string) => `${tenantPrefix(tenantId)}#TAG#${tag}`,
};

/** Index attributes of a customer profile item; soft-deleted customers only stay in the trash list, merged ones in none. */
export function customerIndexAttributes(
  tenantId: string,
  c: { id: string; name: string; kind: string; ownerId: string | null; companyId?: string; orgPath?: string; deletedAt?: string; mergedInto?: string },
): Partial<Item> {
  // A merged record is in no list at all (its survivor is); it stays readable by id (redirect).
  if (c.mergedInto) return {};
  const sk = customerKeys.listSortKey(c.name, c.id);
  if (c.deletedAt) return { gsi1pk: customerKeys.tenantList(tenantId, true), gsi1sk: sk };
  return {
    gsi1pk: customerKeys.tenantList(tenantId, false),
    gsi1sk: sk,
    gsi2pk: c.ownerId ? customerKeys.byOwner(tenantId, c.ownerId) : customerKeys.pool(tenantId),
    gsi2sk: sk,
    gsi3pk: customerKeys.byKind(tenantId, c.kind),
    gsi3sk: sk,
    ...(c.companyId ? { gsi4pk: customerKeys.byCompany(tenantId, c.companyId), gsi4sk: sk } : {}),
    gsi5pk: customerKeys.byOrg(tenantId),
    gsi5sk: customerKeys.orgSortKey(c.orgPath ?? '/', c.name, c.id),
  };
}

/** Whether a partition-key value belongs to the tenant (used to validate cursors). */
export function belongsToTenant(tenantId: string, partitionValue: string): boolean {
  return partitionValue.startsWith(`${tenantPrefix(tenantId)}#`);
}
