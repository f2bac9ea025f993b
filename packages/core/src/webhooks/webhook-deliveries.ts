import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import * as z from 'zod';
import { AppError, notFound } from '../errors';
import type { DomainEvent } from '../ports/event-bus.port';
import { ConditionFailedError, TransactionConflictError, type Item } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { belongsToTenant } from '../customers/customer.keys';
import { assertDeliverableUrl, assertResolvedAddresses, type DeliverableUrlOptions } from './deliverable-url';
import { eventMatchesAny } from './event-patterns';
import { nextRetryDelayMs, parseRetryAfter, WEBHOOK_MAX_ATTEMPTS } from './retry-schedule';
import { webhookSignatureHeader } from './webhook-signature';
import { disableWebhook, loadWebhookItem, signingSecrets, type WebhookDeps, type WebhookItem } from './webhook-subscriptions.use-cases';
import { webhookKeys } from './webhook.keys';

/** How long a delivery (its payload and attempt log) is kept, listable and replayable. */
export const DELIVERY_RETENTION_DAYS = 30;
/** Per-attempt timeout: a slow partner costs at most this per attempt. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Bytes of the response body kept for the deliveries list. */
export const RESPONSE_EXCERPT_BYTES = 1024;
/** Re-attempt after a crash between enqueue and the first attempt (the timer is replaced when it completes). */
const WATCHDOG_SECONDS = 120;
/** Attempts kept in the log of one delivery (the newest). */
const ATTEMPT_LOG_SIZE = 10;

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DeliveryAttempt = z.object({
  at: z.string(),
  /** HTTP status; absent when no response came (timeout, connection error, refused target). */
  statusCode: z.number().int().optional(),
  error: z.string().optional(),
  latencyMs: z.number().int(),
  /** The first KB of the response body. */
  responseExcerpt: z.string().optional(),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

export const Delivery = z.object({
  id: z.string(),
  webhookId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  /**
   * pending: awaiting an attempt or a retry (nextAttemptAt); succeeded: a 2xx; failed: stopped
   * without retries (410 Gone, endpoint paused/disabled/deleted); dead: every scheduled attempt failed.
   */
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: z.string().optional(),
  lastAttempt: DeliveryAttempt.optional(),
  attemptLog: z.array(DeliveryAttempt),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Delivery = z.infer<typeof Delivery>;

export const ListDeliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().optional().transform((n) => Math.min(100, Math.max(1, n ?? 50))),
  after: z.string().max(4096).optional(),
});

interface DeliveryItem extends Item, Delivery {
  entity: 'webhook-delivery';
  tenantId: string;
  /** The exact request body (the event envelope as JSON); signed as is. */
  body: string;
  /** Attempts in the current schedule (a replay starts a new one). */
  roundAttempts: number;
  version: number;
  expiresAt: number;
}

export interface WebhookDispatchDeps extends WebhookDeps {
  fetch: typeof fetch;
  /** In [0, 1): jitter of the retry schedule. */
  random: () => number;
  targets: DeliverableUrlOptions;
  /** Every address of a host name (the guard checks all; DNS at delivery time, not at creation). */
  resolveHost: (hostname: string) => Promise<string[]>;
  timeoutMs?: number;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The delivery id of (event, subscription): ULID-shaped — the event's time, then 80 bits of
 * SHA-256(event id, subscription id) — so a redelivered stream record enqueues the same delivery
 * (idempotent) and the log sorts by time. It is also the `webhook-id` header: receivers dedupe on it.
 */
export function webhookDeliveryId(eventId: string, occurredAt: string, subscriptionId: string): string {
  let time = Date.parse(occurredAt);
  let head = '';
  for (let i = 0; i < 10; i += 1) {
    head = CROCKFORD[time % 32]! + head;
    time = Math.floor(time / 32);
  }
  const hash = createHash('sha256').update(`${eventId}\n${subscriptionId}`).digest();
  let tail = '';
  for (let i = 0; i < 16; i += 1) tail += CROCKFORD[hash[i]! % 32]!;
  return head + tail;
}

/** What to attempt: a delivery of one subscription. */
export interface DeliveryRef {
  tenantId: string;
  webhookId: string;
  deliveryId: string;
}

/** The tenant's subscriptions (all states), read page by page from the subscription list index. */
export async function loadWebhookSubscriptions(deps: Pick<WebhookDeps, 'store'>, tenantId: string): Promise<WebhookItem[]> {
  const subscriptions: WebhookItem[] = [];
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await deps.store.query({ index: 'gsi1', partition: webhookKeys.subscriptionsList(tenantId), limit: 100, ...(startAfter ? { startAfter } : {}) });
    subscriptions.push(...(page.items as WebhookItem[]));
    startAfter = page.lastKey;
  } while (startAfter);
  return subscriptions;
}

/**
 * Fan-out of one domain event: a pending delivery (plus its watchdog retry timer) for every active
 * subscription of the tenant whose filters match. `subscriptions` are the tenant's, loaded by the
 * caller once per batch (one Query per event otherwise). Idempotent: a delivery that exists
 * already is not enqueued again. Answers the deliveries to attempt now.
 */
export async function enqueueWebhookDeliveries(
  deps: Pick<WebhookDeps, 'store' | 'clock'>,
  event: DomainEvent,
  subscriptions?: readonly WebhookItem[],
): Promise<DeliveryRef[]> {
  subscriptions ??= await loadWebhookSubscriptions(deps, event.tenantId);
  const body = JSON.stringify(event);
  const now = deps.clock.now();
  const refs: DeliveryRef[] = [];
  for (const sub of subscriptions) {
    if (sub.status !== 'active' || !eventMatchesAny(event.type, sub.events)) continue;
    const deliveryId = webhookDeliveryId(event.id, event.occurredAt, sub.id);
    const delivery: DeliveryItem = {
      ...webhookKeys.delivery(event.tenantId, sub.id, deliveryId), entity: 'webhook-delivery', tenantId: event.tenantId,
      id: deliveryId, webhookId: sub.id, eventId: event.id, eventType: event.type, body,
      status: 'pending', attempts: 0, roundAttempts: 0, attemptLog: [], version: 1,
      nextAttemptAt: now.toISOString(), createdAt: now.toISOString(), updatedAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + DELIVERY_RETENTION_DAYS * 86_400,
    };
    try {
      await deps.store.transact([
        { type: 'put', item: delivery, condition: { kind: 'notExists' } },
        { type: 'put', item: retryTimer(delivery, now.getTime() + WATCHDOG_SECONDS * 1000) },
      ]);
      refs.push({ tenantId: event.tenantId, webhookId: sub.id, deliveryId });
    } catch (error) {
      if (!(error instanceof TransactionConflictError)) throw error;
    }
  }
  return refs;
}

function retryTimer(delivery: DeliveryItem, atMs: number): Item {
  return {
    ...webhookKeys.retryTimer(delivery.tenantId, delivery.webhookId, delivery.id), entity: 'webhook-retry',
    tenantId: delivery.tenantId, webhookId: delivery.webhookId, deliveryId: delivery.id,
    expiresAt: Math.ceil(atMs / 1000),
  };
}

/** The outcome of one HTTP attempt. */
export interface AttemptOutcome {
  attempt: DeliveryAttempt;
  ok: boolean;
  /** 410 Gone: the receiver asks us to stop. */
  gone: boolean;
  retryAfterMs?: number;
}

/**
 * One signed POST of a delivery (Standard Webhooks headers). Never follows redirects (a 3xx is a
 * failure), times out after 10 s, checks the target again (URL guard + the resolved addresses)
 * and keeps status, latency and the first KB of the answer. Never throws.
 */
export async function deliverEvent(deps: WebhookDispatchDeps, subscription: WebhookItem, delivery: Pick<DeliveryItem, 'id' | 'body'>): Promise<AttemptOutcome> {
  const started = deps.clock.now();
  const startedMs = performance.now();
  const at = started.toISOString();
  const elapsed = () => Math.round(performance.now() - startedMs);
  try {
    const url = assertDeliverableUrl(subscription.url, deps.targets);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!isIP(host)) assertResolvedAddresses(host, await deps.resolveHost(host), deps.targets);
    const timestamp = Math.floor(started.getTime() / 1000);
    const secrets = await signingSecrets(deps.encryptor, subscription, started);
    const response = await deps.fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? DELIVERY_TIMEOUT_MS),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'crm-webhooks/1',
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': webhookSignatureHeader(secrets, delivery.id, timestamp, delivery.body),
      },
      body: delivery.body,
    });
    const excerpt = await readExcerpt(response);
    const ok = response.status >= 200 && response.status < 300;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), deps.clock.now());
    return {
      ok, gone: response.status === 410,
      attempt: { at, statusCode: response.status, latencyMs: elapsed(), responseExcerpt: excerpt, ...(response.status >= 300 && response.status < 400 ? { error: 'redirect not followed' } : {}) },
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  } catch (error) {
    const e = error as Error;
    const message = e.name === 'TimeoutError' ? 'timed out' : e instanceof AppError ? `target refused: ${e.detail}` : e.message || String(error);
    return { ok: false, gone: false, attempt: { at, error: message.slice(0, 300), latencyMs: elapsed() } };
  }
}

/** The first KB of a body as text; the rest is not read (a huge answer costs nothing). */
async function readExcerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
}

/**
 * Attempts a pending delivery and records the outcome: succeeded (2xx); failed when the endpoint
 * answered 410 (the subscription is disabled) or is no longer active; otherwise a retry per the
 * schedule (a retry timer item whose TTL fires it), or dead after the last attempt. A delivery that
 * is not pending (already done, or a stale timer) is left alone. Answers the delivery.
 */
export async function attemptWebhookDelivery(deps: WebhookDispatchDeps, ref: DeliveryRef): Promise<Delivery | undefined> {
  const delivery = (await deps.store.get(webhookKeys.delivery(ref.tenantId, ref.webhookId, ref.deliveryId), { consistent: true })) as DeliveryItem | undefined;
  if (!delivery || delivery.status !== 'pending') return delivery && toDelivery(delivery);
  const subscription = (await deps.store.get(webhookKeys.subscription(ref.tenantId, ref.webhookId), { consistent: true })) as WebhookItem | undefined;
  if (!subscription || subscription.status !== 'active') {
    const reason = subscription ? `endpoint ${subscription.status}` : 'webhook deleted';
    return record(deps, delivery, { status: 'failed', attempt: { at: deps.clock.now().toISOString(), error: `not sent: ${reason}`, latencyMs: 0 }, counted: false });
  }
  const outcome = await deliverEvent(deps, subscription, delivery);
  if (outcome.ok) return record(deps, delivery, { status: 'succeeded', attempt: outcome.attempt });
  if (outcome.gone) {
    await disableWebhook(deps, subscription, 'endpoint answered 410 Gone').catch(() => undefined);
    return record(deps, delivery, { status: 'failed', attempt: outcome.attempt });
  }
  const delay = delivery.roundAttempts + 1 < WEBHOOK_MAX_ATTEMPTS ? nextRetryDelayMs(delivery.roundAttempts + 1, deps.random(), outcome.retryAfterMs) : undefined;
  if (delay === undefined) return record(deps, delivery, { status: 'dead', attempt: outcome.attempt });
  return record(deps, delivery, { status: 'pending', attempt: outcome.attempt, retryAtMs: deps.clock.now().getTime() + delay });
}

async function record(
  deps: WebhookDispatchDeps,
  before: DeliveryItem,
  change: { status: DeliveryStatus; attempt: DeliveryAttempt; retryAtMs?: number; counted?: boolean },
): Promise<Delivery> {
  const counted = change.counted ?? true;
  const next: DeliveryItem = {
    ...before,
    status: change.status,
    attempts: before.attempts + (counted ? 1 : 0),
    roundAttempts: before.roundAttempts + (counted ? 1 : 0),
    lastAttempt: change.attempt,
    attemptLog: [...before.attemptLog, change.attempt].slice(-ATTEMPT_LOG_SIZE),
    version: before.version + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  delete next.nextAttemptAt;
  if (change.retryAtMs !== undefined) next.nextAttemptAt = new Date(change.retryAtMs).toISOString();
  const timerKey = webhookKeys.retryTimer(before.tenantId, before.webhookId, before.id);
  try {
    await deps.store.transact([
      { type: 'put', item: next, condition: { kind: 'equals', attribute: 'version', value: before.version } },
      change.retryAtMs !== undefined ? { type: 'put', item: retryTimer(next, change.retryAtMs) } : { type: 'delete', key: timerKey },
    ]);
  } catch (error) {
    // Another attempt (a replay, a duplicate timer) recorded first; its result stands.
    if (!(error instanceof TransactionConflictError)) throw error;
  }
  return toDelivery(next);
}

function toDelivery(item: DeliveryItem): Delivery {
  return {
    id: item.id, webhookId: item.webhookId, eventId: item.eventId, eventType: item.eventType, status: item.status,
    attempts: item.attempts, ...(item.nextAttemptAt ? { nextAttemptAt: item.nextAttemptAt } : {}),
    ...(item.lastAttempt ? { lastAttempt: item.lastAttempt } : {}), attemptLog: item.attemptLog,
    createdAt: item.createdAt, updatedAt: item.updatedAt,
  };
}

/** A webhook's deliveries, newest first, cursor-paged (404 for an unknown or foreign webhook). */
export async function listWebhookDeliveries(
  deps: Pick<WebhookDeps, 'store'>,
  ctx: RequestContext,
  webhookId: string,
  q: z.infer<typeof ListDeliveriesQuery>,
): Promise<{ items: Delivery[]; next: string | null }> {
  const { tenantId } = ctx.principal;
  await loadWebhookItem(deps.store, tenantId, webhookId);
  const fp = queryFingerprint({ list: 'webhook-deliveries', webhookId });
  const startAfter = q.after ? decodeCursor(q.after, tenantId, fp, (v) => belongsToTenant(tenantId, v)) : undefined;
  const page = await deps.store.query({
    partition: webhookKeys.subscription(tenantId, webhookId).pk, sortKey: { beginsWith: webhookKeys.deliveryPrefix },
    forward: false, limit: q.limit, ...(startAfter ? { startAfter } : {}),
  });
  return { items: page.items.map((i) => toDelivery(i as DeliveryItem)), next: page.lastKey ? encodeCursor(tenantId, fp, page.lastKey) : null };
}

/**
 * Sends a delivery again now, whatever its status (a new retry schedule starts if it fails). The
 * endpoint must be active (409 otherwise: resume it first). Answers the delivery after the attempt.
 */
export async function replayWebhookDelivery(deps: WebhookDispatchDeps, ctx: RequestContext, webhookId: string, deliveryId: string): Promise<Delivery> {
  const { tenantId } = ctx.principal;
  const subscription = await loadWebhookItem(deps.store, tenantId, webhookId);
  const delivery = (await deps.store.get(webhookKeys.delivery(tenantId, webhookId, deliveryId), { consistent: true })) as DeliveryItem | undefined;
  if (!delivery) throw notFound(`Delivery ${deliveryId}`);
  if (subscription.status !== 'active') throw new AppError('conflict', `Webhook ${webhookId} is ${subscription.status}; resume it before replaying`);
  const restarted: DeliveryItem = { ...delivery, status: 'pending', roundAttempts: 0, version: delivery.version + 1, updatedAt: deps.clock.now().toISOString() };
  try {
    await deps.store.put(restarted, { condition: { kind: 'equals', attribute: 'version', value: delivery.version } });
  } catch (error) {
    if (error instanceof ConditionFailedError) throw new AppError('conflict', `Delivery ${deliveryId} is being attempted; retry`);
    throw error;
  }
  const result = await attemptWebhookDelivery(deps, { tenantId, webhookId, deliveryId });
  return result!;
}
