import { AppError, notFound } from '../errors';
import type { TransactOperation } from '../ports/table-store.port';
import { assertWritable, type SecuredContext } from '../access/access-policy';
import { actorOf, requestHash, requireVisibleCustomer } from '../customers/customer.repository';
import { belongsToTenant } from '../customers/customer.keys';
import { assertIfMatchVersion } from '../shared/etag';
import { transactVersioned } from '../shared/versioned-write';
import { createIdempotently } from '../idempotency/idempotency';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { MAX_MENTIONS, noteContent, type NoteFormat } from './note-sanitiser';
import { noteKeys } from './note.keys';
import { dealNoteLookup } from './deal-note-lookup';
import {
  loadNote, noteAuditOperation, noteTimelineDelete, noteTimelinePut, requireVisibleNote, timelineCustomerId, toNote, toNoteItem, type NoteDeps,
} from './note.repository';
import type { CreateNoteInput, ListNotesQuery, Note, UpdateNoteInput } from './note.schema';

/** Where a new note is written: on a customer, or on a deal (which belongs to a customer). */
export type NoteTarget = { customerId: string } | { dealId: string };

export interface CreateNoteResult {
  note: Note;
  /** True when an Idempotency-Key retry answered the note the first request created. */
  replayed: boolean;
}

const IDEMPOTENCY_SCOPE = 'create-note';

/**
 * Writes a note on a customer (a merged id: on its survivor) or on a deal the caller may see. The
 * body is sanitised (format html) and its mentions read from the markup; the note, its `note`
 * timeline entry in the customer's item collection and the audit record commit in one transaction.
 */
export async function createNote(
  deps: NoteDeps,
  ctx: SecuredContext,
  target: NoteTarget,
  input: CreateNoteInput,
  options: { idempotencyKey?: string; rawBody?: unknown } = {},
): Promise<CreateNoteResult> {
  const { tenantId } = ctx.principal;
  const idem = options.idempotencyKey;
  const request = idem ? { key: idem, hash: requestHash({ target, input }) } : undefined;
  let created: Note | undefined;
  const { response, replayed } = await createIdempotently<{ id: string }>(deps.store, tenantId, IDEMPOTENCY_SCOPE, request, async () => {
    // The fields the client sent (not zod's defaults) must be writable for it.
    assertWritable(ctx.access, 'notes', (options.rawBody ?? input) as Record<string, unknown>);
    const { customerId, dealId } = await resolveTarget(deps, ctx, target);
    const now = deps.clock.now();
    const actor = actorOf(ctx.principal);
    const note: Note = {
      id: deps.ids.next(),
      customerId,
      ...(dealId ? { dealId } : {}),
      format: input.format,
      ...contentOf(input.body, input.format),
      version: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      createdBy: actor,
      updatedBy: actor,
    };
    created = note;
    const operations: TransactOperation[] = [
      { type: 'put', item: toNoteItem(tenantId, note), condition: { kind: 'notExists' } },
      noteTimelinePut(tenantId, note, customerId),
      noteAuditOperation(deps, ctx, 'notes:create', undefined, note),
    ];
    return { operations, response: { status: 201, body: { id: note.id } }, now };
  });
  // A replay answers the note as it is now (it may have been edited since).
  if (replayed || !created) return { note: (await requireVisibleNote(deps, ctx, response.body.id)).note, replayed: true };
  return { note: created, replayed: false };
}

/** A note the caller may see (its customer's or its deal's visibility decides), else 404. */
export async function getNote(deps: NoteDeps, ctx: SecuredContext, id: string): Promise<Note> {
  return (await requireVisibleNote(deps, ctx, id)).note;
}

/**
 * Replaces a note's body under optimistic locking (If-Match required; 412 with the current ETag
 * when stale). The timeline entry's excerpt and mentions follow in the same transaction.
 */
export async function updateNote(deps: NoteDeps, ctx: SecuredContext, id: string, input: UpdateNoteInput, ifMatch: string | undefined): Promise<Note> {
  if (!ifMatch) throw new AppError('precondition_required', 'Send the ETag you read as If-Match');
  const { tenantId } = ctx.principal;
  const { note: current, timelineCustomerId: timelineOwner } = await requireVisibleNote(deps, ctx, id);
  assertWritable(ctx.access, 'notes', input as Record<string, unknown>);
  assertIfMatchVersion(ifMatch, current.version, 'The note');
  const format = input.format ?? current.format;
  const updated: Note = {
    ...current,
    format,
    ...contentOf(input.body, format),
    version: current.version + 1,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: actorOf(ctx.principal),
  };
  await writeVersioned(deps, tenantId, current, [
    { type: 'put', item: toNoteItem(tenantId, updated), condition: { kind: 'equals', attribute: 'version', value: current.version } },
    noteTimelinePut(tenantId, updated, timelineOwner),
    noteAuditOperation(deps, ctx, 'notes:update', current, updated),
  ]);
  return updated;
}

/**
 * Deletes a note and its timeline entry (audited with the before-image). If-Match is optional
 * here; when sent it must match, and the delete is conditional on the version read either way.
 */
export async function deleteNote(deps: NoteDeps, ctx: SecuredContext, id: string, ifMatch?: string): Promise<void> {
  const { tenantId } = ctx.principal;
  const { note, timelineCustomerId: timelineOwner } = await requireVisibleNote(deps, ctx, id);
  if (ifMatch) assertIfMatchVersion(ifMatch, note.version, 'The note');
  await writeVersioned(deps, tenantId, note, [
    { type: 'delete', key: noteKeys.note(tenantId, id), condition: { kind: 'equals', attribute: 'version', value: note.version } },
    noteTimelineDelete(tenantId, note, timelineOwner),
    noteAuditOperation(deps, ctx, 'notes:delete', note, undefined),
  ]);
}

/** A customer's notes (its deals' notes included), newest first, cursor-paged. A merged id lists its survivor's. */
export async function listCustomerNotes(deps: NoteDeps, ctx: SecuredContext, customerId: string, q: ListNotesQuery): Promise<{ items: Note[]; next: string | null }> {
  const customer = await requireVisibleCustomer(deps.store, ctx, customerId, { followMerged: true });
  return listPage(deps, ctx, 'gsi1', noteKeys.byCustomer(ctx.principal.tenantId, customer.id), q);
}

/** A deal's notes, newest first, cursor-paged (404 when the caller may not see the deal). */
export async function listDealNotes(deps: NoteDeps, ctx: SecuredContext, dealId: string, q: ListNotesQuery): Promise<{ items: Note[]; next: string | null }> {
  await requireVisibleDeal(deps, ctx, dealId);
  return listPage(deps, ctx, 'gsi2', noteKeys.byDeal(ctx.principal.tenantId, dealId), q);
}

async function listPage(deps: NoteDeps, ctx: SecuredContext, index: 'gsi1' | 'gsi2', partition: string, q: ListNotesQuery): Promise<{ items: Note[]; next: string | null }> {
  const { tenantId } = ctx.principal;
  const fp = queryFingerprint({ list: 'notes', partition });
  const startAfter = q.after ? decodeCursor(q.after, tenantId, fp, (v) => belongsToTenant(tenantId, v)) : undefined;
  const page = await deps.store.query({ index, partition, limit: q.limit, forward: false, ...(startAfter ? { startAfter } : {}) });
  return { items: page.items.map(toNote), next: page.lastKey ? encodeCursor(tenantId, fp, page.lastKey) : null };
}

async function resolveTarget(deps: NoteDeps, ctx: SecuredContext, target: NoteTarget): Promise<{ customerId: string; dealId?: string }> {
  if ('customerId' in target) {
    return { customerId: (await requireVisibleCustomer(deps.store, ctx, target.customerId, { followMerged: true })).id };
  }
  const deal = await requireVisibleDeal(deps, ctx, target.dealId);
  return { customerId: await timelineCustomerId(deps.store, ctx.principal.tenantId, deal.customerId), dealId: target.dealId };
}

async function requireVisibleDeal(deps: NoteDeps, ctx: SecuredContext, dealId: string): Promise<{ customerId: string }> {
  const deal = await (deps.deals ?? dealNoteLookup)(deps.store, ctx, dealId);
  if (!deal?.visible) throw notFound(`Deal ${dealId}`);
  return deal;
}

function contentOf(body: string, format: NoteFormat): Pick<Note, 'body' | 'excerpt' | 'mentions'> {
  const content = noteContent(body, format);
  if (content.excerpt === '') {
    throw new AppError('validation_failed', 'The note has no text once unsafe markup is removed', { errors: [{ path: 'body.body', message: 'empty after sanitising' }] });
  }
  if (content.mentions.length > MAX_MENTIONS) {
    throw new AppError('validation_failed', `A note may mention at most ${MAX_MENTIONS} users`, { errors: [{ path: 'body.body', message: 'too many mentions' }] });
  }
  return content;
}

/** A versioned write whose first operation is conditional on the version read: 412 when stale, 404 when gone. */
function writeVersioned(deps: NoteDeps, tenantId: string, read: Note, operations: TransactOperation[]): Promise<void> {
  return transactVersioned(deps.store, operations, 'Note', read.id, () => loadNote(deps.store, tenantId, read.id));
}
