import * as z from 'zod';
import { auditEntryFrom, auditPutOperation } from '../audit/audit-entry';
import { rejectBlockedContent, screenForTenant, wordScreeningAudit } from '../compliance/word-list-management';
import { AppError, notFound } from '../errors';
import type { SecuredContext } from '../access/access-policy';
import { requireVisibleCustomer } from '../customers/customer.repository';
import { RecordId } from '../customers/customer.schema';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type Item, type TableStore, type TransactOperation } from '../ports/table-store.port';
import { ChannelIdSchema, type ChannelId } from './channels';
import { interactionKeys } from './interaction.keys';
import { InteractionIdentity, type Interaction } from './interaction.schema';
import { locatorItem, timelineItem } from './record-interaction.use-case';
import { archiveExpiryOf, loadInteractionSettings } from './interaction-settings';
import { pickFields } from '../shared/pick-fields';

/**
 * Parked interactions: under the tenant policy `unknownIdentity: park`, an interaction whose
 * identity matches no customer is kept aside in one tenant partition (`T#<t>#PARKED`, sort key
 * `IX#<ulid>`) until someone assigns it to a customer or discards it. Parked items belong to no
 * customer, so no data scope applies: seeing them takes `interactions:read`, assigning
 * `interactions:create` plus seeing the target customer, discarding `interactions:delete`.
 */

export const ParkedInteraction = z.object({
  id: RecordId,
  identity: InteractionIdentity,
  channel: ChannelIdSchema,
  type: z.string(),
  occurredAt: z.string(),
  payload: z.record(z.string(), z.unknown()),
  clientId: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
}).meta({ id: 'ParkedInteraction' });
export type ParkedInteraction = z.infer<typeof ParkedInteraction>;

export const ParkedInteractionQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.string().max(2_000).optional(),
});
export type ParkedInteractionQuery = z.output<typeof ParkedInteractionQuery>;

export const ParkedInteractionPage = z.object({ items: z.array(ParkedInteraction), next: z.string().nullable() }).meta({ id: 'ParkedInteractionPage' });

export const AssignParkedInput = z.strictObject({
  /** The customer the interaction is about (a merged id lands on its survivor). */
  customerId: RecordId,
}).meta({ id: 'AssignParkedInput' });
export type AssignParkedInput = z.infer<typeof AssignParkedInput>;

export interface ParkedInteractionDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
}

const PARKED_FIELDS = ['id', 'identity', 'channel', 'type', 'occurredAt', 'payload', 'clientId', 'createdAt', 'createdBy'] as const;

/**
 * Parked interactions of the tenant, newest first (ids are ULIDs, so the sort key orders by time
 * parked). The cursor is opaque and bound to the tenant.
 */
export async function listParkedInteractions(
  deps: { store: TableStore }, ctx: SecuredContext, query: ParkedInteractionQuery,
): Promise<{ items: ParkedInteraction[]; next: string | null }> {
  const { tenantId } = ctx.principal;
  const partition = interactionKeys.parkedPartition(tenantId);
  const fingerprint = queryFingerprint({ list: 'parked-interactions' });
  const startAfter = query.after ? decodeCursor(query.after, tenantId, fingerprint, (pk) => pk === partition) : undefined;
  const page = await deps.store.query({
    partition, sortKey: { beginsWith: 'IX#' }, forward: false, limit: query.limit, ...(startAfter ? { startAfter } : {}),
  });
  const items = page.items.map(toParkedInteraction);
  const last = page.items.at(-1);
  const next = page.lastKey && last ? encodeCursor(tenantId, fingerprint, { pk: last.pk, sk: last.sk }) : null;
  return { items, next };
}

/**
 * Assigns a parked interaction to a customer the caller may see, in one transaction: the parked
 * item goes (condition: still there), the timeline and locator items come (same interaction id,
 * so a client that saw `parked` with this id keeps it), the client-id item (when still remembered)
 * points at the customer, and an audit entry is written. The new timeline item is an `interaction`
 * INSERT, so the change feed publishes `interaction.recorded` as for any other interaction.
 * The payload is screened against the tenant's word lists now (mask/flag apply; a list that blocks
 * it refuses the assignment, 422 `content_blocked`). 404 when the parked id is gone (already
 * assigned or discarded) — checked before the customer, so another tenant learns nothing.
 */
export async function assignParkedInteraction(
  deps: ParkedInteractionDeps, ctx: SecuredContext, parkedId: string, input: AssignParkedInput,
): Promise<Interaction> {
  const { tenantId } = ctx.principal;
  const parked = await requireParked(deps.store, tenantId, parkedId);
  const customer = await requireVisibleCustomer(deps.store, ctx, input.customerId, { followMerged: true });
  const source = toParkedInteraction(parked);

  const texts = Object.fromEntries(Object.entries(source.payload).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const verdict = await screenForTenant(deps.store, tenantId, texts);
  if (verdict.action === 'block') await rejectBlockedContent(deps, ctx, { type: 'interaction', id: parkedId }, verdict);
  const flaggedRules = verdict.hits.filter((h) => h.action === 'flag').map(({ field, list, word }) => ({ field, list, word }));

  const interaction: Interaction = {
    id: parkedId,
    customerId: customer.id,
    channel: source.channel as ChannelId,
    type: source.type,
    occurredAt: source.occurredAt,
    payload: { ...source.payload, ...verdict.masked },
    ...(flaggedRules.length > 0 ? { flagged: true, flaggedRules } : {}),
    ...(source.clientId !== undefined ? { clientId: source.clientId } : {}),
    // Recorded (parked) then; assigned now is in the audit entry.
    createdAt: source.createdAt,
    createdBy: source.createdBy,
  };
  const clientIdItem = source.clientId !== undefined
    ? await deps.store.get(interactionKeys.clientId(tenantId, source.clientId), { consistent: true })
    : undefined;

  // The tenant's archive age applies as it does at ingestion (a TTL from occurredAt on both items).
  const expiry = archiveExpiryOf(await loadInteractionSettings(deps.store, tenantId), interaction.occurredAt);
  const operations: TransactOperation[] = [
    { type: 'delete', key: interactionKeys.parked(tenantId, parkedId), condition: { kind: 'exists' } },
    { type: 'put', item: { ...timelineItem(tenantId, interaction), matchedBy: 'assigned', ...expiry }, condition: { kind: 'notExists' } },
    { type: 'put', item: { ...locatorItem(tenantId, interaction), ...expiry }, condition: { kind: 'notExists' } },
    auditPutOperation(auditEntryFrom(ctx, {
      action: 'interactions:assign-parked', resource: 'interaction', resourceId: parkedId,
      detail: { customerId: customer.id, requestedCustomerId: input.customerId, channel: source.channel, type: source.type },
    }, deps.clock, deps.ids)),
  ];
  const screeningAudit = wordScreeningAudit(deps, ctx, { type: 'interaction', id: parkedId }, verdict);
  if (screeningAudit) operations.push(screeningAudit);
  if (clientIdItem && clientIdItem.interactionId === parkedId) {
    // Same item, same expiry: a retry of the original request now answers `duplicate` with the customer.
    const { parked: _parked, ...rest } = clientIdItem;
    operations.push({
      type: 'put', item: { ...rest, customerId: customer.id },
      condition: { kind: 'equals', attribute: 'interactionId', value: parkedId },
    });
  }
  try {
    await deps.store.transact(operations);
  } catch (error) {
    if (error instanceof TransactionConflictError && error.failedIndexes.includes(0)) throw notFound(`Parked interaction ${parkedId}`);
    if (error instanceof TransactionConflictError) throw new AppError('conflict', 'The parked interaction changed concurrently; try again');
    throw error;
  }
  return interaction;
}

/**
 * Discards a parked interaction (it was spam, a wrong number, a test): the item is deleted, audited
 * with its channel/type (not its payload). The client-id item stays until it expires, so a retry of
 * the original request still answers `duplicate` instead of parking it again. 404 when it is gone.
 */
export async function discardParkedInteraction(deps: ParkedInteractionDeps, ctx: SecuredContext, parkedId: string): Promise<void> {
  const { tenantId } = ctx.principal;
  const parked = await requireParked(deps.store, tenantId, parkedId);
  try {
    await deps.store.transact([
      { type: 'delete', key: interactionKeys.parked(tenantId, parkedId), condition: { kind: 'exists' } },
      auditPutOperation(auditEntryFrom(ctx, {
        action: 'interactions:discard-parked', resource: 'interaction', resourceId: parkedId,
        detail: { channel: parked.channel, type: parked.type, occurredAt: parked.occurredAt },
      }, deps.clock, deps.ids)),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflictError && error.failedIndexes.includes(0)) throw notFound(`Parked interaction ${parkedId}`);
    throw error;
  }
}

/** The `{id}` of a parked-interaction route: 404 (not 400) for anything that cannot be one, as for unknown ids. */
async function requireParked(store: TableStore, tenantId: string, parkedId: string): Promise<Item> {
  if (!RecordId.safeParse(parkedId).success) throw notFound(`Parked interaction ${parkedId}`);
  const item = await store.get(interactionKeys.parked(tenantId, parkedId), { consistent: true });
  if (!item || item.entity !== 'parked-interaction') throw notFound(`Parked interaction ${parkedId}`);
  return item;
}

function toParkedInteraction(item: Item): ParkedInteraction {
  return pickFields<ParkedInteraction>(item, PARKED_FIELDS);
}
