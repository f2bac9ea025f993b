import type { Item, SortKeyCondition, TableStore } from '../ports/table-store.port';
import type { ArchiveStore } from '../ports/archive-store.port';
import { fieldAccess, maskRecord, type AccessPolicy, type SecuredContext } from '../access/access-policy';
import { requireVisibleCustomer } from '../customers/customer.repository';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { interactionKeys, TIMELINE_PREFIX } from './interaction.keys';
import type { Interaction, TimelineQuery } from './interaction.schema';
import { pickFields } from '../shared/pick-fields';

/** Index pages read per request when channel/type filters thin them out (then a short page with `next`). */
const MAX_FILTERED_PAGES = 5;
const FILTERED_PAGE_SIZE = 200;
/** Archived items examined per request (the archive is read per customer; filters may thin it). */
const ARCHIVE_PAGE_SIZE = 1000;
const MAX_ARCHIVE_PAGES = 5;
/** The cursor's phase attribute once the live items are exhausted (absent = live). */
const ARCHIVE_PHASE = 'archive';

const INTERACTION_FIELDS = ['id', 'customerId', 'channel', 'type', 'occurredAt', 'payload', 'flagged', 'flaggedRules', 'clientId', 'recording', 'createdAt', 'createdBy'] as const;

/**
 * A customer's timeline: one Query over the customer's item collection (`begins_with TL#`, or a
 * sort-key range for from/to), newest first, every channel merged. Channel/type filters apply to
 * the fetched items within at most 5 pages. A merged customer's id answers with its survivor's
 * timeline. The cursor is opaque (bound to tenant, customer and filters).
 *
 * With an archive store (`deps.archive`), the history continues into the customer's archived
 * items once the live Query is exhausted: the same cursor, then in its archive phase
 * (`phase: 'archive'`, the last archived sort key), newest first with the same filters. The
 * archive holds what the TTL removed, i.e. what is older than the tenant's archive age, so the
 * order is newest first throughout unless the setting was shortened (ADR 0034).
 */
export async function getTimeline(
  deps: { store: TableStore; archive?: ArchiveStore },
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
  const archive = deps.archive ? { store: deps.archive, tenantId, customerId: customer.id, partition, fingerprint, query } : undefined;
  if (startAfter?.phase === ARCHIVE_PHASE) {
    if (!archive) return { items: [], next: null };
    return archivedPage(archive, [], startAfter.sk);
  }
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
        if (more) return { items, next: encodeCursor(tenantId, fingerprint, { pk: item.pk, sk: item.sk }) };
        return { items, next: archive && (await hasArchived(archive)) ? archiveCursor(archive) : null };
      }
    }
    if (!page.lastKey) return archive ? archivedPage(archive, items, undefined) : { items, next: null };
    startAfter = page.lastKey;
  }
  return { items, next: startAfter ? encodeCursor(tenantId, fingerprint, startAfter) : null };
}

interface ArchiveReading {
  store: ArchiveStore;
  tenantId: string;
  customerId: string;
  partition: string;
  fingerprint: string;
  query: TimelineQuery;
}

function archiveCursor(a: ArchiveReading, sk?: string): string {
  return encodeCursor(a.tenantId, a.fingerprint, { pk: a.partition, phase: ARCHIVE_PHASE, ...(sk !== undefined ? { sk } : {}) });
}

/** Sort-key bounds of the query's from/to (inclusive), as the live Query uses them. */
function sortKeyBounds(query: TimelineQuery): [string, string] {
  return [query.from ? interactionKeys.timelineFrom(query.from) : TIMELINE_PREFIX, query.to ? interactionKeys.timelineTo(query.to) : `${TIMELINE_PREFIX}~`];
}

async function hasArchived(a: ArchiveReading): Promise<boolean> {
  const [low, high] = sortKeyBounds(a.query);
  const page = await a.store.read(a.tenantId, a.customerId, { beforeSk: `${high}~`, limit: 1 });
  return page.items.some((item) => item.sk >= low);
}

/**
 * Fills `items` up to the limit from the archive, strictly before `beforeSk` (or from its newest
 * item), with the live Query's filters; `next` continues in the archive phase.
 */
async function archivedPage(a: ArchiveReading, items: Interaction[], beforeSk: string | undefined): Promise<{ items: Interaction[]; next: string | null }> {
  const [low, high] = sortKeyBounds(a.query);
  let before = beforeSk !== undefined && beforeSk <= high ? beforeSk : `${high}~`;
  for (let pages = 0; pages < MAX_ARCHIVE_PAGES; pages += 1) {
    const page = await a.store.read(a.tenantId, a.customerId, { beforeSk: before, limit: ARCHIVE_PAGE_SIZE });
    for (let i = 0; i < page.items.length; i += 1) {
      const item = page.items[i]!;
      if (item.sk < low) return { items, next: null };
      if ((a.query.channel && item.channel !== a.query.channel) || (a.query.type && item.type !== a.query.type)) continue;
      items.push(toInteraction(item));
      if (items.length === a.query.limit) {
        const more = (i < page.items.length - 1 && page.items[i + 1]!.sk >= low) || page.more;
        return { items, next: more ? archiveCursor(a, item.sk) : null };
      }
    }
    const last = page.items[page.items.length - 1];
    if (!page.more || !last) return { items, next: null };
    before = last.sk;
  }
  return { items, next: archiveCursor(a, before) };
}

export function toInteraction(item: Item): Interaction {
  return pickFields<Interaction>(item, INTERACTION_FIELDS);
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
