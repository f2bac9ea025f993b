import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '@crm/core';
import { startTestServer, type TestCaller, type TestServer } from '../support/test-server';

let server: TestServer;
let admin: TestCaller;
/** A partner's webhook endpoint on 127.0.0.1: records the request bodies. */
let receiver: Server;
let receiverUrl: string;
const received: string[] = [];
beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await startTestServer();
  admin = await server.as('rfm-co');
});
afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

function publishedEvents(): DomainEvent[] {
  const file = join(server.dataDir, 'events', 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as DomainEvent);
}

describe('RFM write-back and churn trigger (orders → lake → daily schedules)', () => {
  it('scores customers onto their profiles, lists them by segment and publishes customer.churn-risk once', async () => {
    const create = async (name: string) => {
      const res = await admin('POST', '/v1/customers', { kind: 'person', name });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const order = async (customerId: string, amount: number, orderedAt: string) => {
      const res = await admin('POST', '/v1/orders', { customerId, amount, currency: 'CNY', status: 'paid', orderedAt, source: 'pos' });
      expect(res.status).toBe(201);
    };
    const hook = await admin('POST', '/v1/webhooks', { url: receiverUrl, events: ['customer.churn-risk'] });
    expect(hook.status).toBe(201);
    // A big spender who stopped buying 60 days ago; three small, recent buyers.
    const big = await create('Big Spender');
    await order(big, 2000, daysAgo(61));
    await order(big, 1800, daysAgo(60));
    const small: string[] = [];
    for (const name of ['Small A', 'Small B', 'Small C']) {
      const id = await create(name);
      small.push(id);
      await order(id, 60, daysAgo(2));
    }

    await server.drain();
    await server.runSchedules();
    await server.drain();

    const profile = (await admin('GET', `/v1/customers/${big}`)).body;
    expect(profile.rfm).toMatchObject({ segment: 'important_retention', frequency: 2, monetary: 3800, currency: 'CNY' });
    // 60 days, or 61 if midnight UTC passed between the orders and the run.
    expect([60, 61]).toContain(profile.rfm.recencyDays);
    expect(profile.version).toBe(1);
    const smallProfile = (await admin('GET', `/v1/customers/${small[0]}`)).body;
    expect(smallProfile.rfm).toMatchObject({ segment: 'general_development', frequency: 1, monetary: 60 });

    const retention = await admin('GET', '/v1/customers?rfmSegment=important_retention');
    expect(retention.status).toBe(200);
    expect(retention.body.items.map((c: { id: string }) => c.id)).toEqual([big]);
    const development = await admin('GET', '/v1/customers?rfmSegment=general_development');
    expect(development.body.items.map((c: { id: string }) => c.id).sort()).toEqual([...small].sort());
    expect((await admin('GET', '/v1/customers?rfmSegment=important_value')).body.items).toEqual([]);
    expect((await admin('GET', '/v1/customers?rfmSegment=nonsense')).status).toBe(400);

    const churn = () => publishedEvents().filter((e) => e.type === 'customer.churn-risk');
    expect(churn()).toHaveLength(1);
    expect(churn()[0]).toMatchObject({ tenantId: 'rfm-co', subject: { type: 'customer', id: big }, data: { days: 30, episode: 1, monetary: 3800, currency: 'CNY' } });
    // The partner received it as a webhook.
    expect(received.map((body) => JSON.parse(body) as DomainEvent).map((e) => [e.type, e.subject.id])).toEqual([['customer.churn-risk', big]]);
    // RFM write-back publishes no customer.updated.
    expect(publishedEvents().filter((e) => e.type === 'customer.updated' && e.subject.id === big)).toEqual([]);

    // The next daily run: still one event for this episode.
    await server.runSchedules();
    await server.drain();
    expect(churn()).toHaveLength(1);
    expect(received).toHaveLength(1);
  });
});
