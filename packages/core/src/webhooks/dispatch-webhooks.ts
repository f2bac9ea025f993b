import type { ChangeRecord } from '../events/change-record-events';
import { eventsFromChange } from '../events/change-record-events';
import type { RelayLogger } from '../events/publish-change-events';
import { attemptWebhookDelivery, enqueueWebhookDeliveries, loadWebhookSubscriptions, type DeliveryRef, type WebhookDispatchDeps } from './webhook-deliveries';
import type { WebhookItem } from './webhook-subscriptions.use-cases';

/**
 * Time after which no new attempt starts in one batch (the consumer's timeout is 120 s, an attempt
 * at most 10 s). Skipped deliveries keep their watchdog timer and are attempted when it fires.
 */
export const DISPATCH_ATTEMPT_BUDGET_MS = 60_000;

/** One change-feed record as the dispatcher sees it (the handler maps stream records to this). */
export interface WebhookChange {
  /** The record's sequence number (reported back as a batch item failure). */
  key: string;
  change: ChangeRecord;
  /** Removed by the table's TTL process (not by a request). */
  removedByTtl: boolean;
}

/**
 * Partner webhooks on the change feed (docs/adr/0018-partner-webhooks.md), the same in both runtimes:
 * 1. a record that maps to domain events (the outbox mapping the event relay uses) enqueues a
 *    delivery per matching active subscription of its tenant, attempted at once;
 * 2. a retry timer removed by TTL (its `expiresAt` is the next attempt's time) is attempted again.
 * Attempts run concurrently across endpoints and one after another per endpoint, so one slow
 * partner (10 s timeout) neither holds up the others nor gets a burst. A failed attempt is recorded
 * and retried through its timer, never by failing the batch; only a store error while enqueueing
 * reports the record (enqueueing is idempotent, so the redelivery is safe).
 */
export async function dispatchWebhooks(
  deps: WebhookDispatchDeps,
  changes: readonly WebhookChange[],
  logger?: RelayLogger,
  budgetMs = DISPATCH_ATTEMPT_BUDGET_MS,
): Promise<{ failedKeys: string[] }> {
  const started = performance.now();
  const failedKeys: string[] = [];
  const work: DeliveryRef[] = [];
  // Each tenant's subscriptions are read once per batch; a tenant without an active one costs no mapping.
  const subscriptionsOf = new Map<string, Promise<WebhookItem[]>>();
  const activeSubscriptions = (tenantId: string) => {
    let loaded = subscriptionsOf.get(tenantId);
    if (!loaded) {
      loaded = loadWebhookSubscriptions(deps, tenantId).then((all) => all.filter((sub) => sub.status === 'active'));
      loaded.catch(() => subscriptionsOf.delete(tenantId));
      subscriptionsOf.set(tenantId, loaded);
    }
    return loaded;
  };
  for (const { key, change, removedByTtl } of changes) {
    const timer = removedByTtl && change.eventName === 'REMOVE' ? retryTimerOf(change.oldImage) : undefined;
    if (timer) {
      work.push(timer);
      continue;
    }
    const tenantId = (change.newImage ?? change.oldImage)?.tenantId;
    if (typeof tenantId !== 'string') continue;
    try {
      const subscriptions = await activeSubscriptions(tenantId);
      if (subscriptions.length === 0) continue;
      let events;
      try {
        events = eventsFromChange(change);
      } catch {
        continue; // Unmappable: the event relay reports it (and parks it); not this consumer's to retry.
      }
      for (const event of events) work.push(...(await enqueueWebhookDeliveries(deps, event, subscriptions)));
    } catch (error) {
      logger?.error('webhook fan-out failed', { key, error: String(error) });
      failedKeys.push(key);
    }
  }
  const perEndpoint = new Map<string, DeliveryRef[]>();
  for (const ref of work) {
    const endpoint = `${ref.tenantId}/${ref.webhookId}`;
    perEndpoint.set(endpoint, [...(perEndpoint.get(endpoint) ?? []), ref]);
  }
  await Promise.all([...perEndpoint.values()].map(async (refs) => {
    for (const ref of refs) {
      if (performance.now() - started > budgetMs) return;
      try {
        const delivery = await attemptWebhookDelivery(deps, ref);
        if (delivery?.status === 'dead') logger?.warn('webhook delivery dead after its retry schedule', { ...ref });
      } catch (error) {
        // A store error: the delivery's retry timer is still set and triggers another attempt.
        logger?.error('webhook attempt could not be recorded', { ...ref, error: String(error) });
      }
    }
  }));
  return { failedKeys };
}

function retryTimerOf(image: Record<string, unknown> | undefined): DeliveryRef | undefined {
  if (!image || image.entity !== 'webhook-retry') return undefined;
  return { tenantId: String(image.tenantId), webhookId: String(image.webhookId), deliveryId: String(image.deliveryId) };
}
