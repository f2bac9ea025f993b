import type { Item, SortKeyCondition, TableStore } from '../ports/table-store.port';
import { fieldAccess, maskRecord, type AccessPolicy, type SecuredContext } from '../access/access-policy';
import { requireVisibleCustomer } from '../customers/customer.repository';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { interactionKeys, TIMELINE_PREFIX } from './interaction.keys';
import type { Interaction, TimelineQuery } from './interaction.schema';

/** Index pages read per request when channel/type filters thin them out (then a short page with `next`). */
const MAX_FILTERED_PAGES = 5;
const FILTERED_PAGE_SIZE = 200;

const INTERACTION_FIELDS = ['id', 'customerId', 'channel', 'type', 'occurredAt', 'payload', 'flagged', 'flaggedRules', 'clientId', 'recording', 'createdAt', 'createdBy'] as const;

/**
 * A customer's timeline: one Query over the customer's item collection (`begins_with TL#`, or a
 * sort-key range for from/to), newest first, every channel merged. Channel/type filters apply to
 * the fetched items within at most 5 pages. A merged customer's id answers with its survivor's
 * timeline. The cursor is opaque (bound to tenant, customer and filters).
 */
export async function getTimeline(
  deps: { store: TableStore },
  ctx: SecuredContext,
  customerId: string,
  query: TimelineQuery,
): Promise<{ items: Interaction[]; next: string | null }> {
  const { tenantId } = ctx.principal;
  const customer = await requireVisibleCustomer(deps.store, ctx, customerId, { followMerged: true });
  const partition = interactionKeys.timelinePartition(tenantId, customer.id);
  const fingerprint = queryFingerprint({ customerId: customer.id, channel: query.channel, type: query.type, from: query.from, to: query.to });
  let startAfter = query.after ? decodeCursor(query.after, tenantId, fingerprint, (pk) => pk === partition) : undefined;
  const filtered = query.channel !== undefined || query.type !== undefined;
  const sortKey: SortKeyCondition = query.from || query.to
    ? { between: [query.from ? interactionKeys.timelineFrom(query.from) : TIMELINE_PREFIX, query.to ? interactionKeys.timelineTo(query.to) : `${TIMELINE_PREFIX}~`] }
    : { beginsWith: TIMELINE_PREFIX };

  const items: Interaction[] = [];
  for (let pages = 0; pages < (filtered ? MAX_FILTERED_PAGES : 1); pages += 1) {
    const page = await deps.store.query({
      partition, sortKey, forward: false, limit: filtered ? FILTERED_PAGE_SIZE : query.limit - items.length, ...(startAfter ? { startAfter } : {}),
    });
    for (let i = 0; i < page.items.length; i += 1) {
      const item = page.items[i]!;
      if ((query.channel && item.channel !== query.channel) || (query.type && item.type !== query.type)) continue;
      items.push(toInteraction(item));
      if (items.length === query.limit) {
        const more = i < page.items.length - 1 || page.lastKey !== undefined;
        return { items, next: more ? encodeCursor(tenantId, fingerprint, { pk: item.pk, sk: item.sk }) : null };
      }
    }
    if (!page.lastKey) return { items, next: null };
    startAfter = page.lastKey;
  }
  return { items, next: startAfter ? encodeCursor(tenantId, fingerprint, startAfter) : null };
}

export function toInteraction(item: Item): Interaction {
  const out: Record<string, unknown> = {};
  for (const f of INTERACTION_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as Interaction;
}

/**
 * An interaction without the fields hidden from the caller: top-level fields (`payload` as a whole)
 * and single payload fields (`payload.text`) by the role's `interactions` field rules.
 */
export function maskInteraction(access: AccessPolicy, interaction: Interaction): Interaction {
  const masked = maskRecord(access, 'interactions', interaction as unknown as Record<string, unknown>) as unknown as Interaction;
  if (!masked.payload || !access.fields.interactions) return masked;
  const payload: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(masked.payload)) if (fieldAccess(access, 'interactions', `payload.${k}`) !== 'hidden') payload[k] = v;
  return { ...masked, payload };
}
