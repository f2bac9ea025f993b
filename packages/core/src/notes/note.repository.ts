import { AppError, notFound } from '../errors';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import type { Item, TableStore, TransactOperation } from '../ports/table-store.port';
import type { SecuredContext } from '../access/access-policy';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import { loadCustomer, requireVisibleCustomer } from '../customers/customer.repository';
import { timelineEntryDeleteOperation, timelineEntryPutOperation } from '../interactions/timeline-entries';
import { noteIndexAttributes, noteKeys } from './note.keys';
import { dealNoteLookup } from './deal-note-lookup';
import type { Note } from './note.schema';
import { pickFields } from '../shared/pick-fields';

/**
 * What a deal note needs to know about its deal: the deal's customer and whether the caller may
 * see the deal; `undefined` when no live deal has this id in the caller's tenant. The default is
 * the deals module's answer (`dealNoteLookup`); use-case tests pass their own.
 */
export type DealNoteLookup = (store: TableStore, ctx: SecuredContext, dealId: string) => Promise<{ customerId: string; visible: boolean } | undefined>;

/** What the note use cases depend on (ports only). `deals` defaults to the deals module's lookup. */
export interface NoteDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
  deals?: DealNoteLookup;
}

export const NOTE_ENTITY = 'note';

const RECORD_FIELDS = [
  'id', 'customerId', 'dealId', 'format', 'body', 'excerpt', 'mentions', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy',
] as const satisfies readonly (keyof Note)[];

export function toNoteItem(tenantId: string, n: Note): Item {
  return { ...noteKeys.note(tenantId, n.id), ...noteIndexAttributes(tenantId, n), entity: NOTE_ENTITY, tenantId, ...n };
}

/** The API record of a stored note: record fields only, never keys or tenant. */
export function toNote(item: Item): Note {
  return pickFields<Note>(item, RECORD_FIELDS);
}

export async function loadNote(store: TableStore, tenantId: string, id: string): Promise<Note | undefined> {
  const item = await store.get(noteKeys.note(tenantId, id), { consistent: true });
  return item ? toNote(item) : undefined;
}

/**
 * The customer whose timeline holds a note's entry now: the note's customer, or its survivor when
 * it has been merged (a merge moves timeline items, keeping their sort keys).
 */
export async function timelineCustomerId(store: TableStore, tenantId: string, customerId: string): Promise<string> {
  let id = customerId;
  for (let hops = 0; hops < 5; hops += 1) {
    const c = await loadCustomer(store, tenantId, id);
    if (!c?.mergedInto) return id;
    id = c.mergedInto;
  }
  return id;
}

/**
 * Loads a note the caller may see, or throws 404. A note is visible to whoever sees its customer
 * (a merged one: the survivor) — or, for a deal note, its deal. Answers the note and the customer
 * whose timeline carries its entry.
 */
export async function requireVisibleNote(deps: NoteDeps, ctx: SecuredContext, id: string): Promise<{ note: Note; timelineCustomerId: string }> {
  const { tenantId } = ctx.principal;
  const note = await loadNote(deps.store, tenantId, id);
  if (!note) throw notFound(`Note ${id}`);
  try {
    const customer = await requireVisibleCustomer(deps.store, ctx, note.customerId, { followMerged: true });
    return { note, timelineCustomerId: customer.id };
  } catch (error) {
    if (!(error instanceof AppError) || (error.code !== 'not_found' && error.code !== 'customer_merged')) throw error;
  }
  if (note.dealId) {
    const deal = await (deps.deals ?? dealNoteLookup)(deps.store, ctx, note.dealId);
    if (deal?.visible) return { note, timelineCustomerId: await timelineCustomerId(deps.store, tenantId, note.customerId) };
  }
  throw notFound(`Note ${id}`);
}

/** The `note` entry of the customer's timeline: small (excerpt, ids), never the body. */
export function noteTimelinePut(tenantId: string, note: Note, customerId: string): TransactOperation {
  return timelineEntryPutOperation(tenantId, {
    id: note.id,
    customerId,
    type: 'note',
    occurredAt: note.createdAt,
    payload: { noteId: note.id, excerpt: note.excerpt, ...(note.dealId ? { dealId: note.dealId } : {}), mentions: note.mentions },
    createdAt: note.createdAt,
    createdBy: note.createdBy,
  });
}

export function noteTimelineDelete(tenantId: string, note: Note, customerId: string): TransactOperation {
  return timelineEntryDeleteOperation(tenantId, { id: note.id, customerId, occurredAt: note.createdAt });
}

/** The audit record of a note change, written in the change's own transaction (a delete keeps the before-image). */
export function noteAuditOperation(deps: Pick<NoteDeps, 'clock' | 'ids'>, ctx: SecuredContext, action: 'notes:create' | 'notes:update' | 'notes:delete', before: Note | undefined, after: Note | undefined): TransactOperation {
  const record = (after ?? before)!;
  return auditPutOperation(auditEntryFrom(ctx, {
    action, resource: 'note', resourceId: record.id,
    ...(after ? { changes: diffChanges(before, after) } : { before: before! }),
    detail: { customerId: record.customerId, ...(record.dealId ? { dealId: record.dealId } : {}) },
  }, deps.clock, deps.ids));
}
