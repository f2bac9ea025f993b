import { rejectBlockedContent, screenWithLists, wordScreeningAudit } from '../compliance/word-list-management';
import { listWordLists, type WordList } from '../compliance/word-lists';
import type { CountryCode } from 'libphonenumber-js';
import { AppError } from '../errors';
import { ConditionFailedError, TransactionConflictError, type Item, type TableStore, type TransactOperation } from '../ports/table-store.port';
import { primedReads } from '../shared/primed-reads';
import { customerKeys } from '../customers/customer.keys';
import { can, type SecuredContext } from '../access/access-policy';
import { actorOf, requireVisibleCustomer, type CustomerDeps } from '../customers/customer.repository';
import { createCustomer } from '../customers/create-customer.use-case';
import { CreateCustomerInput, type Customer } from '../customers/customer.schema';
import { loadCustomerSettings } from '../settings/customer-settings';
import { interactionKeys } from './interaction.keys';
import { archiveExpiryOf, loadInteractionSettings, type InteractionSettings } from './interaction-settings';
import { resolveIdentity, identityPhone } from './resolve-identity';
import {
  ClientId, InteractionInput, ITEM_STATUSES, type Interaction, type InteractionBatchInput, type InteractionBatchResult, type InteractionResult,
} from './interaction.schema';

/** Ingestion needs the customer ports (a lead is a customer). */
export type InteractionDeps = CustomerDeps;

/** How long a client id is remembered: a retry later than this would be recorded again. */
export const CLIENT_ID_TTL_SECONDS = 90 * 24 * 60 * 60;
/** Batch items prepared at the same time (items about the same customer or identity run one after another). */
const BATCH_CONCURRENCY = 8;

/** Tenant configuration read once per request, not once per item. */
export interface IngestionConfig {
  settings: InteractionSettings;
  phoneRegion: CountryCode;
  /** The tenant's sensitive-word lists, loaded once per request (a batch screens all items with them). */
  wordLists: WordList[];
}

export async function loadIngestionConfig(deps: Pick<InteractionDeps, 'store'>, tenantId: string): Promise<IngestionConfig> {
  const [settings, customer, wordLists] = await Promise.all([
    loadInteractionSettings(deps.store, tenantId), loadCustomerSettings(deps.store, tenantId), listWordLists(deps.store, tenantId),
  ]);
  return { settings, phoneRegion: customer.defaultPhoneRegion, wordLists: wordLists.items };
}

export type RecordedInteraction = InteractionResult & { interaction?: Interaction };

/** Where `prepareInteraction` stands: answered already, or one transaction away from its answer. */
type PreparedInteraction =
  | { kind: 'done'; result: RecordedInteraction }
  | { kind: 'write'; operations: TransactOperation[]; result: RecordedInteraction; clientId?: string };

/**
 * Records one validated interaction — the single write path of every channel (single and batch
 * ingestion, inbound webhooks).
 *
 * 1. A client id already recorded → `duplicate` with the first id; nothing is written.
 * 2. The customer: by id (a merged id lands on its survivor), else by identity (external id, phone,
 *    email lookups); an unknown identity creates a lead or is parked (tenant policy).
 * 3. Sensitive-word screening (block refuses the item; mask and flag change what is stored).
 * 4. One transaction: the client-id item (`notExists`) + the timeline item + its locator (+ the
 *    screening audit entry). A concurrent retry loses on the condition and answers `duplicate`.
 *
 * No audit entry per interaction (high volume): the table's change feed is the record.
 * Throws AppError for a request that cannot succeed (unknown or invisible customer).
 */
export async function recordInteraction(
  deps: InteractionDeps,
  ctx: SecuredContext,
  input: InteractionInput,
  options: { index?: number; config?: IngestionConfig } = {},
): Promise<RecordedInteraction> {
  const config = options.config ?? (await loadIngestionConfig(deps, ctx.principal.tenantId));
  const prepared = await prepareInteraction(deps, deps.store, ctx, input, options.index ?? 0, config);
  if (prepared.kind === 'done') return prepared.result;
  let failure: Error | undefined;
  try {
    await deps.store.transact(prepared.operations);
  } catch (error) {
    failure = error as Error;
  }
  return settleWrite(deps, ctx.principal.tenantId, prepared, failure);
}

/**
 * Everything up to the write: answers `done` (a known client id) or the transaction to run.
 * `reads` serves the client-id and customer reads (the batch path primes them in one BatchGet);
 * writes that must precede the interaction (a lead, an external-id link) go to the store at once.
 */
async function prepareInteraction(
  deps: InteractionDeps,
  reads: TableStore,
  ctx: SecuredContext,
  input: InteractionInput,
  index: number,
  config: IngestionConfig,
): Promise<PreparedInteraction> {
  const { tenantId } = ctx.principal;
  const clientId = input.clientId;
  const base = { index, ...(clientId !== undefined ? { clientId } : {}) };
  if (clientId !== undefined && !ClientId.safeParse(clientId).success) {
    // Reached only through the Idempotency-Key header: the body schema has checked body client ids.
    throw new AppError('validation_failed', 'The client id (or Idempotency-Key) must be 1-200 visible ASCII characters', { errors: [{ path: 'clientId', message: 'invalid format' }] });
  }
  if (clientId !== undefined) {
    const seen = await reads.get(interactionKeys.clientId(tenantId, clientId), { consistent: true });
    if (seen) return { kind: 'done', result: duplicateOf(base, seen) };
  }

  // Screened before anything is resolved or created: a blocked item leaves nothing behind.
  const screened = await screenPayload(deps, ctx, input, config.wordLists);
  let customer: Customer | undefined;
  let matchedBy: InteractionResult['matchedBy'];
  if (input.customerId !== undefined) {
    customer = await requireVisibleCustomer(reads, ctx, input.customerId, { followMerged: true });
    matchedBy = 'customerId';
  } else if (input.identity) {
    const match = await resolveIdentity(reads, ctx, input.identity, config.phoneRegion);
    if (match) ({ customer, matchedBy } = match);
    else if (config.settings.unknownIdentity === 'park' || !can(ctx.access, 'customers:create')) {
      return parkOperations(deps, ctx, { ...input, payload: screened.payload }, base);
    } else {
      customer = await createLead(deps, ctx, input);
      matchedBy = 'lead';
    }
  }
  if (!customer) throw new AppError('validation_failed', 'Give either customerId or identity');
  // Linked before the interaction is written, so the next item with this external id finds it.
  if (input.identity?.externalId && matchedBy !== 'externalId') await linkExternalId(deps, tenantId, input.identity.externalId, customer.id);

  const now = deps.clock.now();
  const interaction: Interaction = {
    id: deps.ids.next(),
    customerId: customer.id,
    channel: input.channel,
    type: input.type,
    occurredAt: input.occurredAt,
    payload: screened.payload,
    ...(screened.flaggedRules.length > 0 ? { flagged: true, flaggedRules: screened.flaggedRules } : {}),
    ...(clientId !== undefined ? { clientId } : {}),
    createdAt: now.toISOString(),
    createdBy: actorOf(ctx.principal),
  };
  // The tenant's archive age as a TTL on both items, fixed now: a later setting change never reaches back.
  const expiry = archiveExpiryOf(config.settings, interaction.occurredAt);
  const operations: TransactOperation[] = [
    { type: 'put', item: { ...timelineItem(tenantId, interaction, matchedBy), ...expiry }, condition: { kind: 'notExists' } },
    { type: 'put', item: { ...locatorItem(tenantId, interaction), ...expiry }, condition: { kind: 'notExists' } },
  ];
  // Every word-list hit is audited, in the item's own transaction.
  const screeningAudit = wordScreeningAudit(deps, ctx, { type: 'interaction', id: interaction.id }, screened.verdict);
  if (screeningAudit) operations.push(screeningAudit);
  if (clientId !== undefined) operations.unshift(clientIdOperation(tenantId, clientId, { interactionId: interaction.id, customerId: customer.id }, now));
  return {
    kind: 'write', operations, ...(clientId !== undefined ? { clientId } : {}),
    result: { ...base, status: 'created', id: interaction.id, customerId: customer.id, ...(matchedBy ? { matchedBy } : {}), interaction },
  };
}

/** The answer once the transaction ran: its result, `duplicate` when the client id was taken meanwhile, or the error. */
async function settleWrite(deps: InteractionDeps, tenantId: string, prepared: Extract<PreparedInteraction, { kind: 'write' }>, failure: Error | undefined): Promise<RecordedInteraction> {
  if (!failure) return prepared.result;
  // The client-id put is always the first operation when there is a client id.
  if (prepared.clientId !== undefined && failure instanceof TransactionConflictError && failure.failedIndexes.includes(0)) {
    const seen = await deps.store.get(interactionKeys.clientId(tenantId, prepared.clientId), { consistent: true });
    if (seen) return duplicateOf({ index: prepared.result.index, clientId: prepared.clientId }, seen);
  }
  throw failure;
}

/**
 * Records up to 500 interactions; every item gets a result and one bad or failing item never
 * affects the others. Items without a clientId get `<Idempotency-Key>#<index>` when the request
 * carries one, so a retried batch writes nothing twice either way.
 *
 * The bulk path (docs/scaling.md): the client-id and customer items of the whole batch are read in
 * one BatchGet, each item is prepared (items about the same customer or identity one after another,
 * so one unknown identity creates one lead), and the prepared transactions go to the store in one
 * `transactEach` — one SQLite commit locally, parallel TransactWriteItems on DynamoDB — each still
 * all-or-nothing on its own.
 */
export async function recordInteractionBatch(
  deps: InteractionDeps,
  ctx: SecuredContext,
  input: InteractionBatchInput,
  options: { idempotencyKey?: string } = {},
): Promise<InteractionBatchResult> {
  const { tenantId } = ctx.principal;
  const config = await loadIngestionConfig(deps, tenantId);
  const results: InteractionResult[] = new Array(input.items.length);
  const lanes = new Map<string, Array<{ index: number; item: InteractionInput }>>();
  input.items.forEach((raw, index) => {
    const withKey = options.idempotencyKey && isObject(raw) && raw.clientId === undefined ? { ...raw, clientId: `${options.idempotencyKey}#${index}` } : raw;
    const parsed = InteractionInput.safeParse(withKey);
    if (!parsed.success) {
      const clientId = isObject(withKey) && typeof withKey.clientId === 'string' ? withKey.clientId : undefined;
      results[index] = {
        index, ...(clientId ? { clientId } : {}), status: 'invalid', code: 'validation_failed',
        errors: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      };
      return;
    }
    const lane = laneKey(parsed.data, config.phoneRegion);
    const entries = lanes.get(lane);
    if (entries) entries.push({ index, item: parsed.data });
    else lanes.set(lane, [{ index, item: parsed.data }]);
  });

  const valid = [...lanes.values()].flat();
  const reads = await primedReads(deps.store, [
    ...valid.flatMap(({ item }) => (item.clientId !== undefined && ClientId.safeParse(item.clientId).success ? [interactionKeys.clientId(tenantId, item.clientId)] : [])),
    ...[...new Set(valid.flatMap(({ item }) => (item.customerId !== undefined ? [item.customerId] : [])))].map((id) => customerKeys.profile(tenantId, id)),
  ]);
  const writes: Array<{ index: number; item: InteractionInput; prepared: Extract<PreparedInteraction, { kind: 'write' }> }> = [];
  const queue = [...lanes.values()];
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, queue.length) }, async () => {
    for (let lane = queue.shift(); lane; lane = queue.shift()) {
      for (const { index, item } of lane) {
        try {
          const prepared = await prepareInteraction(deps, reads, ctx, item, index, config);
          if (prepared.kind === 'done') results[index] = withoutInteraction(prepared.result);
          else writes.push({ index, item, prepared });
        } catch (error) {
          results[index] = failedItem(item, index, error);
        }
      }
    }
  }));
  let outcomes: Array<Error | undefined>;
  try {
    outcomes = await deps.store.transactEach(writes.map((w) => w.prepared.operations));
  } catch (error) {
    outcomes = writes.map(() => error as Error);
  }
  await Promise.all(writes.map(async ({ index, item, prepared }, n) => {
    try {
      results[index] = withoutInteraction(await settleWrite(deps, tenantId, prepared, outcomes[n]));
    } catch (error) {
      results[index] = failedItem(item, index, error);
    }
  }));
  const counts = Object.fromEntries(ITEM_STATUSES.map((s) => [s, results.filter((r) => r.status === s).length])) as InteractionBatchResult['counts'];
  return { results, counts };
}

function withoutInteraction({ interaction: _omit, ...result }: RecordedInteraction): InteractionResult {
  return result;
}

/** One batch item's error as a result: request errors become `invalid`, anything else `failed` (retry it). */
function failedItem(item: InteractionInput, index: number, error: unknown): InteractionResult {
  const base = { index, ...(item.clientId !== undefined ? { clientId: item.clientId } : {}) };
  if (error instanceof AppError && error.status < 500) {
    return {
      ...base, status: 'invalid', code: error.code,
      errors: error.extra.errors ?? [{ path: item.customerId !== undefined ? 'customerId' : 'identity', message: error.message }],
      ...(typeof error.extra.survivorId === 'string' ? { customerId: error.extra.survivorId } : {}),
    };
  }
  return { ...base, status: 'failed', code: error instanceof AppError ? error.code : 'internal_error' };
}

/** Items about the same customer or identity share a lane, so one unknown identity creates one lead. */
function laneKey(item: InteractionInput, region: CountryCode): string {
  if (item.customerId !== undefined) return `c:${item.customerId}`;
  const i = item.identity!;
  if (i.externalId) return `x:${i.externalId.system}:${i.externalId.id}`;
  if (i.phone) return `p:${identityPhone(i.phone, region)?.value ?? i.phone}`;
  return `e:${(i.email ?? '').toLowerCase()}`;
}

/**
 * Sensitive-word screening of the payload's text fields against the tenant's word lists: `block`
 * refuses the item (audited, 422 `content_blocked`, nothing stored), `mask` stores the masked text,
 * `flag` stores it as is with `flagged` and the rules that fired (→ `interaction.flagged` event).
 */
async function screenPayload(deps: InteractionDeps, ctx: SecuredContext, input: InteractionInput, wordLists: readonly WordList[]) {
  const texts = Object.fromEntries(Object.entries(input.payload).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const verdict = screenWithLists(ctx.principal.tenantId, wordLists, texts);
  if (verdict.action === 'block') await rejectBlockedContent(deps, ctx, { type: 'interaction' }, verdict);
  const flaggedRules = verdict.hits.filter((h) => h.action === 'flag').map(({ field, list, word }) => ({ field, list, word }));
  return { verdict, flaggedRules, payload: { ...input.payload, ...verdict.masked } };
}

/** The stored timeline item (keys + entity + the interaction). */
export function timelineItem(tenantId: string, i: Interaction, matchedBy?: InteractionResult['matchedBy']): Item {
  return {
    ...interactionKeys.timeline(tenantId, i.customerId, i.occurredAt, i.id),
    entity: 'interaction',
    tenantId,
    ...i,
    ...(matchedBy ? { matchedBy } : {}),
  };
}

/** The id → timeline-item locator (recordings and other `/v1/interactions/{id}` routes look it up). */
export function locatorItem(tenantId: string, i: Pick<Interaction, 'id' | 'customerId' | 'occurredAt'>): Item {
  const { sk } = interactionKeys.timeline(tenantId, i.customerId, i.occurredAt, i.id);
  return { ...interactionKeys.locator(tenantId, i.id), entity: 'interaction-locator', tenantId, interactionId: i.id, customerId: i.customerId, timelineSk: sk };
}

function clientIdOperation(tenantId: string, clientId: string, target: { interactionId: string; customerId?: string; parked?: boolean }, now: Date): TransactOperation {
  return {
    type: 'put',
    condition: { kind: 'notExists' },
    item: {
      ...interactionKeys.clientId(tenantId, clientId), entity: 'interaction-client-id', tenantId, clientId, ...target,
      createdAt: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + CLIENT_ID_TTL_SECONDS,
    },
  };
}

function duplicateOf(base: { index: number; clientId?: string }, seen: Item): RecordedInteraction {
  return {
    ...base, status: 'duplicate', id: seen.interactionId as string,
    ...(typeof seen.customerId === 'string' ? { customerId: seen.customerId } : {}),
  };
}

/** Unknown identity under the `park` policy: kept aside (with its client id, payload as screened) for later assignment. */
function parkOperations(deps: InteractionDeps, ctx: SecuredContext, input: InteractionInput, base: { index: number; clientId?: string }): PreparedInteraction {
  const { tenantId } = ctx.principal;
  const now = deps.clock.now();
  const id = deps.ids.next();
  const operations: TransactOperation[] = [{
    type: 'put', condition: { kind: 'notExists' },
    item: {
      ...interactionKeys.parked(tenantId, id), entity: 'parked-interaction', tenantId, id,
      identity: input.identity, channel: input.channel, type: input.type, occurredAt: input.occurredAt, payload: input.payload,
      ...(input.clientId !== undefined ? { clientId: input.clientId } : {}),
      createdAt: now.toISOString(), createdBy: actorOf(ctx.principal),
    },
  }];
  if (input.clientId !== undefined) operations.unshift(clientIdOperation(tenantId, input.clientId, { interactionId: id, parked: true }, now));
  return { kind: 'write', operations, ...(input.clientId !== undefined ? { clientId: input.clientId } : {}), result: { ...base, status: 'parked', id } };
}

/**
 * A person customer for an unknown identity, tagged `lead`. Its Idempotency-Key derives from the
 * client id, so a retry after a failed interaction write finds the same lead instead of a second one.
 */
async function createLead(deps: InteractionDeps, ctx: SecuredContext, input: InteractionInput): Promise<Customer> {
  const identity = input.identity!;
  const payloadName = typeof input.payload.name === 'string' ? input.payload.name : undefined;
  const name = identity.name ?? payloadName ?? identity.phone ?? identity.email ?? `${identity.externalId!.system}:${identity.externalId!.id}`;
  const body = CreateCustomerInput.parse({
    kind: 'person',
    name: name.slice(0, 200),
    phones: identity.phone ? [{ number: identity.phone }] : [],
    emails: identity.email ? [{ address: identity.email }] : [],
    tags: ['lead'],
  });
  const { customer } = await createCustomer(deps, ctx, body, {
    duplicatePolicy: 'allow',
    ...(input.clientId !== undefined ? { idempotencyKey: `interaction-lead:${input.clientId}` } : {}),
  });
  return customer;
}

/** Remembers an external id for the customer an interaction landed on (first link wins). */
async function linkExternalId(deps: InteractionDeps, tenantId: string, ext: { system: string; id: string }, customerId: string): Promise<void> {
  try {
    await deps.store.put({
      ...interactionKeys.externalId(tenantId, ext.system, ext.id), entity: 'customer-external-id', tenantId,
      system: ext.system, customerId, createdAt: deps.clock.now().toISOString(),
    }, { condition: { kind: 'notExists' } });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
