import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStandardWebhook, type DomainEvent } from '@crm/core';
import { startTestServer, type TestServer } from '../support/test-server';

/** A partner's endpoint on 127.0.0.1: records requests, answers what the test sets. */
interface Received { headers: IncomingHttpHeaders; body: string }
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
let answer: { status: number; headers?: Record<string, string>; body?: string } = { status: 200, body: 'ok' };

let server: TestServer;
beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

const verified = (r: Received, secret: string) => verifyStandardWebhook(
  secret,
  { id: String(r.headers['webhook-id']), timestamp: String(r.headers['webhook-timestamp']), signature: String(r.headers['webhook-signature']) },
  r.body,
  Math.floor(Date.now() / 1000),
);

describe('partner webhooks (local runtime, receiver on 127.0.0.1)', () => {
  it('delivers signed events, records attempts, retries, replays, rotates, disables on 410 and pauses', async () => {
    const token = await server.token('hooks-co', { userId: 'root', roles: ['admin'] });
    const call = (method: string, path: string, body?: unknown) => server.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
    let n = 0;
    const newCustomer = async () => {
      n += 1;
      const res = await call('POST', '/v1/customers', { kind: 'company', name: `Hook Test ${'ABCDEFGHIJ'[n]} Holdings ${n * 7919}` });
      expect(res.status).toBe(201);
      await server.drain();
      return res.body.id as string;
    };

    const created = await call('POST', '/v1/webhooks', { url: receiverUrl, events: ['customer.*'], description: 'ERP sync' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: receiverUrl, events: ['customer.*'], description: 'ERP sync', status: 'active' });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const { id, secret } = created.body as { id: string; secret: string };
    expect((await call('GET', `/v1/webhooks/${id}`)).body.secret).toBeUndefined();
    expect((await call('GET', '/v1/webhooks')).body.items.map((w: { id: string }) => w.id)).toEqual([id]);

    // 1. A customer.created arrives, Standard Webhooks headers verify with the secret.
    const customerId = await newCustomer();
    expect(received).toHaveLength(1);
    const first = received[0]!;
    expect(verified(first, secret)).toBe(true);
    expect(verified(first, `whsec_${Buffer.alloc(32, 1).toString('base64')}`)).toBe(false);
    const event = JSON.parse(first.body) as DomainEvent;
    expect(event).toMatchObject({ type: 'customer.created', tenantId: 'hooks-co', subject: { type: 'customer', id: customerId } });
    expect(first.headers['content-type']).toBe('application/json');
    let deliveries = (await call('GET', `/v1/webhooks/${id}/deliveries`)).body.items;
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ id: first.headers['webhook-id'], eventId: event.id, eventType: 'customer.created', status: 'succeeded', attempts: 1, lastAttempt: { statusCode: 200, responseExcerpt: 'ok' } });
    expect(deliveries[0].lastAttempt.latencyMs).toBeGreaterThanOrEqual(0);

    // Draining again sends nothing twice.
    await server.drain();
    expect(received).toHaveLength(1);

    // 2. A 500 with Retry-After schedules a retry (no earlier than the receiver asked).
    answer = { status: 500, headers: { 'retry-after': '600' }, body: 'x'.repeat(5000) };
    const before = Date.now();
    await newCustomer();
    expect(received).toHaveLength(2);
    deliveries = (await call('GET', `/v1/webhooks/${id}/deliveries`)).body.items;
    const failing = deliveries[0];
    expect(failing).toMatchObject({ status: 'pending', attempts: 1, lastAttempt: { statusCode: 500 } });
    expect(failing.lastAttempt.responseExcerpt).toHaveLength(1024);
    expect(Date.parse(failing.nextAttemptAt) - before).toBeGreaterThanOrEqual(600_000);

    // 3. Replay re-sends the same message (same webhook-id) and records the second attempt.
    answer = { status: 204 };
    const replayed = await call('POST', `/v1/webhooks/${id}/deliveries/${failing.id}/replay`);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ id: failing.id, status: 'succeeded', attempts: 2 });
    expect(replayed.body.nextAttemptAt).toBeUndefined();
    expect(received).toHaveLength(3);
    expect(received[2]!.headers['webhook-id']).toBe(received[1]!.headers['webhook-id']);
    expect(received[2]!.body).toBe(received[1]!.body);
    expect((await call('POST', `/v1/webhooks/${id}/deliveries/01ARZ3NDEKTSV4RRFFQ69G5FAV/replay`)).status).toBe(404);

    // 4. Rotation: both secrets sign for the overlap.
    const rotated = await call('POST', `/v1/webhooks/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    await newCustomer();
    const afterRotation = received.at(-1)!;
    expect(String(afterRotation.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verified(afterRotation, rotated.body.secret)).toBe(true);
    expect(verified(afterRotation, secret)).toBe(true);

    // 5. Pause: nothing is sent; resume: sent again.
    expect((await call('PATCH', `/v1/webhooks/${id}`, { paused: true })).body.status).toBe('paused');
    const count = received.length;
    await newCustomer();
    expect(received).toHaveLength(count);
    expect((await call('PATCH', `/v1/webhooks/${id}`, { paused: false })).body.status).toBe('active');

    // 6. 410 Gone disables the endpoint; later events are not sent.
    answer = { status: 410 };
    await newCustomer();
    expect(received).toHaveLength(count + 1);
    const gone = await call('GET', `/v1/webhooks/${id}`);
    expect(gone.body).toMatchObject({ status: 'disabled', disabledReason: expect.stringContaining('410') });
    expect((await call('GET', `/v1/webhooks/${id}/deliveries`)).body.items[0]).toMatchObject({ status: 'failed', attempts: 1, lastAttempt: { statusCode: 410 } });
    answer = { status: 200 };
    await newCustomer();
    expect(received).toHaveLength(count + 1);
    expect((await call('PATCH', `/v1/webhooks/${id}`, { paused: false })).body).toMatchObject({ status: 'active' });

    // 7. Other tenants see nothing; delete removes it.
    const intruder = await server.token('other-co', { userId: 'root', roles: ['admin'] });
    expect((await server.call('GET', `/v1/webhooks/${id}`, { token: intruder })).status).toBe(404);
    expect((await server.call('GET', `/v1/webhooks/${id}/deliveries`, { token: intruder })).status).toBe(404);
    expect((await server.call('GET', '/v1/webhooks', { token: intruder })).body.items).toEqual([]);
    expect((await call('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/webhooks/${id}`)).status).toBe(404);
  });

  it('does not follow redirects', async () => {
    const token = await server.token('redirect-co', { userId: 'root', roles: ['admin'] });
    const hook = (await server.call('POST', '/v1/webhooks', { token, body: { url: receiverUrl, events: ['customer.created'] } })).body;
    answer = { status: 302, headers: { location: `${receiverUrl}/elsewhere` } };
    const count = received.length;
    expect((await server.call('POST', '/v1/customers', { token, body: { kind: 'person', name: 'Redirect Rita' } })).status).toBe(201);
    await server.drain();
    // One request only: the Location (on the same receiver) was not followed.
    expect(received).toHaveLength(count + 1);
    const [delivery] = (await server.call('GET', `/v1/webhooks/${hook.id}/deliveries`, { token })).body.items;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastAttempt: { statusCode: 302, error: 'redirect not followed' } });
    answer = { status: 200 };
  });

  it('validates targets and event filters, and needs webhooks permissions', async () => {
    const token = await server.token('valid-co', { userId: 'root', roles: ['admin'] });
    const post = (body: unknown, t = token) => server.call('POST', '/v1/webhooks', { token: t, body });
    for (const url of ['http://10.0.0.1/hook', 'https://169.254.169.254/latest', 'http://hooks.partner.example/', 'ftp://x.example/']) {
      const res = await post({ url, events: ['customer.created'] });
      expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 400, code: 'validation_failed' });
    }
    const unknown = await post({ url: receiverUrl, events: ['customer.exploded'] });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.errors)).toContain('events');
    expect((await post({ url: receiverUrl, events: [] })).status).toBe(400);
    const rep = await server.token('valid-co', { userId: 'rep', roles: ['sales'] });
    expect((await post({ url: receiverUrl, events: ['*'] }, rep)).status).toBe(403);
    expect((await server.call('GET', '/v1/webhooks', { token: rep })).status).toBe(403);
  });
});
