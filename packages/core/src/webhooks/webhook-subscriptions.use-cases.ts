import * as z from 'zod';
import { AppError, notFound } from '../errors';
import type { Clock } from '../ports/clock.port';
import type { FieldEncryptor } from '../ports/field-encryptor.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type Item, type TableStore } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { belongsToTenant } from '../customers/customer.keys';
import { assertDeliverableUrl, type DeliverableUrlOptions } from './deliverable-url';
import { isValidEventPattern, knownEventTypes } from './event-patterns';
import { generateWebhookSecret } from './webhook-signature';
import { webhookKeys } from './webhook.keys';

/** How long the previous secret keeps signing after a rotation (receivers switch within it). */
export const SECRET_ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

/** Encryption-context field of sealed secrets (binds tenant + purpose; see FieldEncryptor). */
const SECRET_FIELD = 'webhook.secret';

const EventPatterns = z
  .array(z.string().max(100))
  .min(1)
  .max(50)
  .superRefine((patterns, ctx) => {
    for (const [i, p] of patterns.entries()) {
      if (!isValidEventPattern(p)) ctx.addIssue({ code: 'custom', path: [i], message: `unknown event type or pattern; known: ${knownEventTypes().join(', ')}, <entity>.* or *` });
    }
  })
  .transform((patterns) => [...new Set(patterns)].sort());

export const CreateWebhookInput = z.strictObject({
  url: z.string().max(2048),
  /** Event types (`customer.created`) or patterns (`customer.*`, `*`). */
  events: EventPatterns,
  description: z.string().trim().max(500).optional(),
});
export type CreateWebhookInput = z.infer<typeof CreateWebhookInput>;

export const UpdateWebhookInput = z.strictObject({
  url: z.string().max(2048).optional(),
  events: EventPatterns.optional(),
  description: z.string().trim().max(500).optional(),
  /** true pauses deliveries; false resumes them (and re-enables an endpoint disabled by a 410). */
  paused: z.boolean().optional(),
});
export type UpdateWebhookInput = z.infer<typeof UpdateWebhookInput>;

export const ListWebhooksQuery = z.strictObject({
  limit: z.coerce.number().int().optional().transform((n) => Math.min(100, Math.max(1, n ?? 50))),
  after: z.string().max(4096).optional(),
});

export const WEBHOOK_STATUSES = ['active', 'paused', 'disabled'] as const;

export const Webhook = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string(),
  /** `disabled`: the endpoint answered 410 Gone; PATCH `paused: false` re-enables it. */
  status: z.enum(WEBHOOK_STATUSES),
  disabledReason: z.string().optional(),
  /** Until when the previous secret still signs (after a rotation). */
  previousSecretExpiresAt: z.string().optional(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Webhook = z.infer<typeof Webhook>;

/** A webhook with its signing secret: answered once, on create and on rotate. */
export type WebhookWithSecret = Webhook & { secret: string };

export interface WebhookDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
  encryptor: FieldEncryptor;
}

/** The stored subscription (secrets sealed). */
export interface WebhookItem extends Item, Webhook {
  entity: 'webhook';
  tenantId: string;
  secret: string;
  previousSecret?: string;
}

export function toWebhook(item: Item): Webhook {
  const w = item as WebhookItem;
  return {
    id: w.id, url: w.url, events: w.events, description: w.description, status: w.status,
    ...(w.disabledReason ? { disabledReason: w.disabledReason } : {}),
    ...(w.previousSecretExpiresAt ? { previousSecretExpiresAt: w.previousSecretExpiresAt } : {}),
    version: w.version, createdAt: w.createdAt, updatedAt: w.updatedAt,
  };
}

/** The secrets that sign now: the current one, plus the previous one within its overlap. */
export async function signingSecrets(encryptor: FieldEncryptor, item: WebhookItem, now: Date): Promise<string[]> {
  const secrets = [await encryptor.decrypt(item.tenantId, SECRET_FIELD, item.secret)];
  if (item.previousSecret && item.previousSecretExpiresAt && Date.parse(item.previousSecretExpiresAt) > now.getTime()) {
    secrets.push(await encryptor.decrypt(item.tenantId, SECRET_FIELD, item.previousSecret));
  }
  return secrets;
}

/** Subscribes an endpoint; answers the webhook with its secret (shown only here and on rotate). */
export async function createWebhook(deps: WebhookDeps, targets: DeliverableUrlOptions, ctx: RequestContext, input: CreateWebhookInput): Promise<WebhookWithSecret> {
  const { tenantId } = ctx.principal;
  const url = assertDeliverableUrl(input.url, targets).href;
  const now = deps.clock.now().toISOString();
  const secret = generateWebhookSecret();
  const webhook: Webhook = {
    id: deps.ids.next(), url, events: input.events, description: input.description ?? '', status: 'active',
    version: 1, createdAt: now, updatedAt: now,
  };
  const item: WebhookItem = {
    ...webhookKeys.subscription(tenantId, webhook.id), entity: 'webhook', tenantId,
    gsi1pk: webhookKeys.subscriptionsList(tenantId), gsi1sk: webhook.id,
    ...webhook, secret: await deps.encryptor.encrypt(tenantId, SECRET_FIELD, secret),
  };
  await deps.store.transact([
    { type: 'put', item, condition: { kind: 'notExists' } },
    auditPutOperation(auditEntryFrom(ctx, { action: 'webhooks:manage', resource: 'webhook', resourceId: webhook.id, changes: diffChanges(undefined, webhook) }, deps.clock, deps.ids)),
  ]);
  return { ...webhook, secret };
}

export async function loadWebhookItem(store: TableStore, tenantId: string, id: string): Promise<WebhookItem> {
  const item = await store.get(webhookKeys.subscription(tenantId, id), { consistent: true });
  if (!item) throw notFound(`Webhook ${id}`);
  return item as WebhookItem;
}

export async function getWebhook(deps: { store: TableStore }, ctx: RequestContext, id: string): Promise<Webhook> {
  return toWebhook(await loadWebhookItem(deps.store, ctx.principal.tenantId, id));
}

/** The tenant's webhooks in creation order, cursor-paged. */
export async function listWebhooks(deps: { store: TableStore }, ctx: RequestContext, q: z.infer<typeof ListWebhooksQuery>): Promise<{ items: Webhook[]; next: string | null }> {
  const { tenantId } = ctx.principal;
  const fp = queryFingerprint({ list: 'webhooks' });
  const startAfter = q.after ? decodeCursor(q.after, tenantId, fp, (v) => belongsToTenant(tenantId, v)) : undefined;
  const page = await deps.store.query({ index: 'gsi1', partition: webhookKeys.subscriptionsList(tenantId), limit: q.limit, ...(startAfter ? { startAfter } : {}) });
  return { items: page.items.map(toWebhook), next: page.lastKey ? encodeCursor(tenantId, fp, page.lastKey) : null };
}

/** Writes a changed subscription under optimistic locking (version), audited with the change. */
async function saveWebhook(deps: WebhookDeps, ctx: RequestContext | undefined, before: WebhookItem, next: WebhookItem): Promise<void> {
  const audit = ctx
    ? [auditPutOperation(auditEntryFrom(ctx, { action: 'webhooks:manage', resource: 'webhook', resourceId: before.id, changes: diffChanges(toWebhook(before), toWebhook(next)) }, deps.clock, deps.ids))]
    : [];
  try {
    await deps.store.transact([{ type: 'put', item: next, condition: { kind: 'equals', attribute: 'version', value: before.version } }, ...audit]);
  } catch (error) {
    if (error instanceof TransactionConflictError) throw new AppError('conflict', `Webhook ${before.id} changed concurrently; retry`);
    throw error;
  }
}

/** Changes url, events, description or paused/resumed state. */
export async function updateWebhook(deps: WebhookDeps, targets: DeliverableUrlOptions, ctx: RequestContext, id: string, input: UpdateWebhookInput): Promise<Webhook> {
  const before = await loadWebhookItem(deps.store, ctx.principal.tenantId, id);
  const next: WebhookItem = { ...before, version: before.version + 1, updatedAt: deps.clock.now().toISOString() };
  if (input.url !== undefined) next.url = assertDeliverableUrl(input.url, targets).href;
  if (input.events !== undefined) next.events = input.events;
  if (input.description !== undefined) next.description = input.description;
  if (input.paused === true) next.status = 'paused';
  if (input.paused === false) {
    next.status = 'active';
    delete next.disabledReason;
  }
  await saveWebhook(deps, ctx, before, next);
  return toWebhook(next);
}

/**
 * A new signing secret; the previous one keeps signing for 24 h (both signatures are sent), so a
 * receiver can switch without losing deliveries. Answers the new secret once.
 */
export async function rotateWebhookSecret(deps: WebhookDeps, ctx: RequestContext, id: string): Promise<WebhookWithSecret> {
  const { tenantId } = ctx.principal;
  const before = await loadWebhookItem(deps.store, tenantId, id);
  const now = deps.clock.now();
  const secret = generateWebhookSecret();
  const next: WebhookItem = {
    ...before,
    secret: await deps.encryptor.encrypt(tenantId, SECRET_FIELD, secret),
    previousSecret: before.secret,
    previousSecretExpiresAt: new Date(now.getTime() + SECRET_ROTATION_OVERLAP_MS).toISOString(),
    version: before.version + 1,
    updatedAt: now.toISOString(),
  };
  await saveWebhook(deps, ctx, before, next);
  return { ...toWebhook(next), secret };
}

/** Removes a subscription (its delivery log stays until its retention ends). */
export async function deleteWebhook(deps: WebhookDeps, ctx: RequestContext, id: string): Promise<void> {
  const { tenantId } = ctx.principal;
  const before = await loadWebhookItem(deps.store, tenantId, id);
  await deps.store.transact([
    { type: 'delete', key: webhookKeys.subscription(tenantId, id), condition: { kind: 'exists' } },
    auditPutOperation(auditEntryFrom(ctx, { action: 'webhooks:manage', resource: 'webhook', resourceId: id, before: toWebhook(before) }, deps.clock, deps.ids)),
  ]);
}

/** A 410 Gone from the endpoint: the subscription stops receiving (no request context: system change). */
export async function disableWebhook(deps: WebhookDeps, item: WebhookItem, reason: string): Promise<void> {
  if (item.status === 'disabled') return;
  const next: WebhookItem = { ...item, status: 'disabled', disabledReason: reason, version: item.version + 1, updatedAt: deps.clock.now().toISOString() };
  await saveWebhook(deps, undefined, item, next);
}
