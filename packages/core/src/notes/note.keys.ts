import type { ItemKey } from '../ports/table-store.port';

/**
 * Every key of the notes module, defined once and asserted offline (test/unit/notes/note-keys.test.ts).
 * See docs/data-model.md "Notes".
 *
 * A note is its own item (`T#t#NOTE#<id>` / `NOTE`): `/v1/notes/{id}` is one GetItem, and a note's
 * body (up to 50 KB) never weighs on Queries of the customer's item collection (the timeline reads
 * there; it gets a small `note` entry with the excerpt instead). Lists are two sparse GSI partitions,
 * newest first: the customer's notes on gsi1 (all of them, deal notes included), a deal's on gsi2.
 */
const tenantPrefix = (tenantId: string) => `T#${tenantId}`;

export const NOTE_SK = 'NOTE';

export const noteKeys = {
  note: (tenantId: string, id: string): ItemKey => ({ pk: `${tenantPrefix(tenantId)}#NOTE#${id}`, sk: NOTE_SK }),
  /** gsi1: the notes written on a customer (its deals' notes too). */
  byCustomer: (tenantId: string, customerId: string) => `${tenantPrefix(tenantId)}#NOTES#C#${customerId}`,
  /** gsi2: the notes written on a deal. */
  byDeal: (tenantId: string, dealId: string) => `${tenantPrefix(tenantId)}#NOTES#DEAL#${dealId}`,
  /** Sort key of both lists: creation instant (canonical ISO) then id, so a descending Query is newest first. */
  listSortKey: (createdAt: string, id: string) => `${createdAt}#${id}`,
};

/** Index attributes of a note item. */
export function noteIndexAttributes(tenantId: string, n: { id: string; customerId: string; dealId?: string; createdAt: string }): Record<string, string> {
  const sk = noteKeys.listSortKey(n.createdAt, n.id);
  return {
    gsi1pk: noteKeys.byCustomer(tenantId, n.customerId),
    gsi1sk: sk,
    ...(n.dealId ? { gsi2pk: noteKeys.byDeal(tenantId, n.dealId), gsi2sk: sk } : {}),
  };
}
