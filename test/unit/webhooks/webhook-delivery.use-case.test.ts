import { describe, expect, it } from 'vitest';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import {
  attemptWebhookDelivery, createWebhook, dispatchWebhooks, enqueueWebhookDeliveries, getWebhook, rotateWebhookSecret, verifyStandardWebhook,
  webhookKeys, WEBHOOK_MAX_ATTEMPTS, type Clock, type DomainEvent, type WebhookDispatchDeps,
} from '@crm/core';
import { adminContext, testEncryptor } from '../../support/use-case-harness';

/** A movable clock: each retry is attempted at its scheduled time. */
function setup(answers: Array<() => Response>) {
  let now = new Date('2026-11-25T10:00:00.000Z');
  const clock: Clock = { now: () => now };
  const store = new SqliteTableStore({ db: openSqliteDatabase(':memory:'), clock });
  let seq = 0;
  const requests: Array<{ url: string; init: RequestInit }> = [];
  const fakeFetch = (async (url: URL, init: RequestInit) => {
    requests.push({ url: String(url), init });
    return (answers[Math.min(requests.length - 1, answers.length - 1)]!)();
  }) as unknown as typeof fetch;
  const deps: WebhookDispatchDeps = {
    store, clock, ids: { next: () => `01JD0000000000000000000${String((seq += 1)).padStart(3, '0')}` }, encryptor: testEncryptor,
    fetch: fakeFetch, random: () => 0.5, targets: { allowLoopback: false }, resolveHost: async () => ['93.184.216.34'],
  };
  return { deps, store, requests, advanceTo: (iso: string) => { now = new Date(iso); } };
}

const event = (id = 'a'.repeat(32)): DomainEvent => ({
  id, type: 'customer.created', version: 1, tenantId: 'acme', occurredAt: '2026-11-25T09:59:59.000Z',
  subject: { type: 'customer', id: '01JD00000000000000000000ZZ' }, data: { kind: 'person' },
});

describe('webhook deliveries', () => {
  it('fans out to matching active subscriptions only, once per event', async () => {
    const { deps } = setup([() => new Response('ok')]);
    const ctx = adminContext('acme');
    const all = await createWebhook(deps, deps.targets, ctx, { url: 'https://a.example/h', events: ['*'] });
    const other = await createWebhook(deps, deps.targets, ctx, { url: 'https://b.example/h', events: ['interaction.*'] });
    await createWebhook(deps, deps.targets, adminContext('globex'), { url: 'https://c.example/h', events: ['*'] });
    const refs = await enqueueWebhookDeliveries(deps, event());
    expect(refs.map((r) => r.webhookId)).toEqual([all.id]);
    expect(other.id).toBeDefined();
    // A redelivered stream record enqueues nothing new.
    expect(await enqueueWebhookDeliveries(deps, event())).toEqual([]);
  });

  it('retries on the schedule (honouring Retry-After), keeps a TTL timer for the next attempt, then goes dead', async () => {
    const { deps, store, requests, advanceTo } = setup([
      () => new Response('busy', { status: 503, headers: { 'retry-after': '60' } }),
      () => new Response('boom', { status: 500 }),
    ]);
    const hook = await createWebhook(deps, deps.targets, adminContext('acme'), { url: 'https://a.example/h', events: ['customer.created'] });
    const [ref] = await enqueueWebhookDeliveries(deps, event());
    let delivery = (await attemptWebhookDelivery(deps, ref!))!;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: '2026-11-25T10:01:00.000Z' });
    const timer = await store.get(webhookKeys.retryTimer('acme', hook.id, ref!.deliveryId));
    expect(timer).toMatchObject({ entity: 'webhook-retry', expiresAt: Date.parse('2026-11-25T10:01:00.000Z') / 1000 });
    const init = requests[0]!.init;
    expect(init.redirect).toBe('manual');
    expect(init.signal).toBeInstanceOf(AbortSignal);
    expect((init.headers as Record<string, string>)['webhook-id']).toBe(ref!.deliveryId);

    const delays: number[] = [];
    while (delivery.status === 'pending') {
      const at = delivery.nextAttemptAt!;
      advanceTo(at);
      const next = (await attemptWebhookDelivery(deps, ref!))!;
      if (next.nextAttemptAt) delays.push((Date.parse(next.nextAttemptAt) - Date.parse(at)) / 1000);
      delivery = next;
    }
    expect(delays).toEqual([30, 120, 600, 1800, 7200, 21_600, 43_200]);
    expect(delivery).toMatchObject({ status: 'dead', attempts: WEBHOOK_MAX_ATTEMPTS });
    expect(delivery.attemptLog).toHaveLength(WEBHOOK_MAX_ATTEMPTS);
    expect(requests).toHaveLength(WEBHOOK_MAX_ATTEMPTS);
    expect(await store.get(webhookKeys.retryTimer('acme', hook.id, ref!.deliveryId))).toBeUndefined();
    // A stale timer for a finished delivery changes nothing.
    expect((await attemptWebhookDelivery(deps, ref!))!.attempts).toBe(WEBHOOK_MAX_ATTEMPTS);
    expect(requests).toHaveLength(WEBHOOK_MAX_ATTEMPTS);
  });

  it('refuses a host name that resolves to a private address at delivery time, and disables on 410', async () => {
    const { deps, requests } = setup([() => new Response(null, { status: 410 })]);
    const ctx = adminContext('acme');
    const rebinding = await createWebhook(deps, deps.targets, ctx, { url: 'https://rebind.example/h', events: ['*'] });
    const [ref] = await enqueueWebhookDeliveries({ ...deps }, event());
    const refused = (await attemptWebhookDelivery({ ...deps, resolveHost: async () => ['10.0.0.7'] }, ref!))!;
    expect(refused).toMatchObject({ status: 'pending', attempts: 1 });
    expect(refused.lastAttempt!.error).toMatch(/non-public/);
    expect(requests).toHaveLength(0);

    const gone = (await attemptWebhookDelivery(deps, ref!))!;
    expect(gone).toMatchObject({ status: 'failed', attempts: 2, lastAttempt: { statusCode: 410 } });
    expect((await getWebhook(deps, ctx, rebinding.id)).status).toBe('disabled');
  });

  it('dispatches change-feed batches: customer inserts fan out, TTL-removed retry timers retry, other removals do nothing', async () => {
    const { deps, requests, store } = setup([() => new Response('no', { status: 500 }), () => new Response('ok')]);
    const hook = await createWebhook(deps, deps.targets, adminContext('acme'), { url: 'https://a.example/h', events: ['customer.created'] });
    const customer = {
      pk: 'x', sk: 'y', entity: 'customer', tenantId: 'acme', id: '01JD00000000000000000000ZZ', kind: 'person', name: 'Ada',
      version: 1, createdAt: '2026-11-25T09:59:00.000Z', createdBy: 'alice', tags: [], orgPath: '/',
    };
    const insert = { eventId: 'ev-1', eventName: 'INSERT' as const, approximateCreationTime: 0, newImage: customer };
    expect(await dispatchWebhooks(deps, [{ key: '1', change: insert, removedByTtl: false }])).toEqual({ failedKeys: [] });
    expect(requests).toHaveLength(1);
    expect(JSON.parse(String(requests[0]!.init.body))).toMatchObject({ type: 'customer.created', subject: { id: customer.id } });
    const timer = (await store.query({ partition: webhookKeys.subscription('acme', hook.id).pk, sortKey: { beginsWith: 'RETRY#' }, limit: 10 })).items[0]!;
    const removal = { eventId: 'ev-2', eventName: 'REMOVE' as const, approximateCreationTime: 0, oldImage: timer };
    await dispatchWebhooks(deps, [{ key: '2', change: removal, removedByTtl: false }]);
    expect(requests).toHaveLength(1);
    await dispatchWebhooks(deps, [{ key: '3', change: removal, removedByTtl: true }]);
    expect(requests).toHaveLength(2);
    // The same insert redelivered does not send again.
    await dispatchWebhooks(deps, [{ key: '1', change: insert, removedByTtl: false }]);
    expect(requests).toHaveLength(2);
  });

  it('stores secrets sealed; after a rotation both sign for 24 h, then only the new one', async () => {
    const { deps, store, requests, advanceTo } = setup([() => new Response('ok')]);
    const ctx = adminContext('acme');
    const hook = await createWebhook(deps, deps.targets, ctx, { url: 'https://a.example/h', events: ['*'] });
    const stored = (await store.get(webhookKeys.subscription('acme', hook.id)))!;
    expect(stored.secret).toMatch(/^enc:v1:/);
    expect(JSON.stringify(stored)).not.toContain(hook.secret.slice(6));
    const rotated = await rotateWebhookSecret(deps, ctx, hook.id);
    expect(rotated.previousSecretExpiresAt).toBe('2026-11-26T10:00:00.000Z');
    const signedBy = async (eventId: string) => {
      const [ref] = await enqueueWebhookDeliveries(deps, event(eventId));
      await attemptWebhookDelivery(deps, ref!);
      const { headers, body } = requests.at(-1)!.init as { headers: Record<string, string>; body: string };
      const h = { id: headers['webhook-id']!, timestamp: headers['webhook-timestamp']!, signature: headers['webhook-signature']! };
      const now = Number(h.timestamp);
      return { old: verifyStandardWebhook(hook.secret, h, body, now), current: verifyStandardWebhook(rotated.secret, h, body, now), count: h.signature.split(' ').length };
    };
    expect(await signedBy('b'.repeat(32))).toEqual({ old: true, current: true, count: 2 });
    advanceTo('2026-11-26T10:00:01.000Z');
    expect(await signedBy('c'.repeat(32))).toEqual({ old: false, current: true, count: 1 });
  });
});
