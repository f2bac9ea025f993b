/**
 * Keys of the audit entity, defined once and tested offline (test/unit/core/audit-keys.test.ts).
 * Tenant first in every partition key. Every audit partition sorts by `<at>#<id>`, so a time range
 * is a sort-key range on any of them. GSIs are shared with customer items under other prefixes
 * (`AUDITRES`/`AUDITACTOR`/`AUDITTYPE` never collide with `CUST`/`OWNER`/`KIND`).
 */
import type { IndexName, Item, ItemKey } from '../ports/table-store.port';

const tenantPrefix = (tenantId: string) => `T#${tenantId}`;

/** Length of the zero-padded chain sequence number (10^15 records per tenant). */
const SEQ_DIGITS = 15;

export const AUDIT_INDEXES = {
  byResource: 'gsi1',
  byActor: 'gsi2',
  byResourceType: 'gsi3',
} as const satisfies Record<string, IndexName>;

/** `yyyy-mm-dd` of an ISO timestamp (UTC). */
export const dayOf = (at: string) => at.slice(0, 10);

export const auditKeys = {
  /** Day partition of the tenant's audit records (time-range reads walk days). */
  dayPartition: (tenantId: string, day: string) => `${tenantPrefix(tenantId)}#AUDIT#${day}`,
  /** Sort key shared by the table and every audit index: time order, id breaks ties. */
  sortKey: (at: string, id: string) => `${at}#${id}`,
  record: (tenantId: string, at: string, id: string): ItemKey => ({
    pk: auditKeys.dayPartition(tenantId, dayOf(at)),
    sk: auditKeys.sortKey(at, id),
  }),
  /** gsi1: history of one record. */
  byResource: (tenantId: string, resource: string, resourceId: string) => `${tenantPrefix(tenantId)}#AUDITRES#${resource}#${resourceId}`,
  /** gsi2: everything one user or client did. */
  byActor: (tenantId: string, subject: string) => `${tenantPrefix(tenantId)}#AUDITACTOR#${subject}`,
  /** gsi3: everything that happened to one resource type. */
  byResourceType: (tenantId: string, resource: string) => `${tenantPrefix(tenantId)}#AUDITTYPE#${resource}`,

  /** The chain's item collection: head and every link, so verification is one paged Query. */
  chainPartition: (tenantId: string) => `${tenantPrefix(tenantId)}#AUDITCHAIN`,
  chainHead: (tenantId: string): ItemKey => ({ pk: auditKeys.chainPartition(tenantId), sk: 'HEAD' }),
  linkSortKeyPrefix: 'LINK#',
  chainLink: (tenantId: string, seq: number): ItemKey => ({
    pk: auditKeys.chainPartition(tenantId),
    sk: `LINK#${String(seq).padStart(SEQ_DIGITS, '0')}`,
  }),
  /** Marker "record <id> is linked as seq n"; written with the link, makes redelivery a no-op. */
  linked: (tenantId: string, recordId: string): ItemKey => ({ pk: `${tenantPrefix(tenantId)}#AUDITLINKED#${recordId}`, sk: 'LINKED' }),
};

/** Index attributes of an audit record item. */
export function auditIndexAttributes(
  tenantId: string,
  e: { at: string; id: string; resource: string; resourceId?: string; actor: { subject: string } },
): Partial<Item> {
  const sk = auditKeys.sortKey(e.at, e.id);
  return {
    ...(e.resourceId ? { gsi1pk: auditKeys.byResource(tenantId, e.resource, e.resourceId), gsi1sk: sk } : {}),
    gsi2pk: auditKeys.byActor(tenantId, e.actor.subject),
    gsi2sk: sk,
    gsi3pk: auditKeys.byResourceType(tenantId, e.resource),
    gsi3sk: sk,
  };
}
