import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { systemClock, timelineItem, type Interaction, type TransactOperation } from '@crm/core';
import { loadOrCreateSigningKey, mintAccessToken } from '@crm/local-runtime';
import { ulidGenerator } from '@crm/runtime';
import { load, seed, startServer, TENANT, type OpResult } from './bench-kit';

/**
 * Customer timeline through the local HTTP server (a separate process) with N interactions stored
 * (spread over N / per-customer customers, every channel): the first page (50, all channels), a
 * channel-filtered first page, and batch ingestion (100 items per request). Goal: first-page p99 ≤
 * 20 ms at 1 M interactions, and within 1.5× of the smallest size (one Query, never a scan).
 *
 *   npm run bench -- timeline --sizes 100000,1000000 --per-customer 100
 */
export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { sizes: { type: 'string' }, concurrency: { type: 'string' }, requests: { type: 'string' }, 'per-customer': { type: 'string' } } });
  const sizes = (values.sizes ?? '100000,1000000').split(',').map(Number);
  const concurrency = Number(values.concurrency ?? 8);
  const requests = Number(values.requests ?? 4000);
  const perCustomer = Number(values['per-customer'] ?? 100);
  const results = new Map<number, OpResult[]>();
  for (const size of sizes) results.set(size, await benchSize(size, perCustomer, concurrency, requests));

  console.log(`\ntimeline benchmark — local HTTP server (SQLite), ${concurrency} concurrent clients, ${perCustomer} interactions per customer`);
  console.log('interactions  op               req/s    p50 ms   p99 ms');
  for (const [size, ops] of results) {
    for (const r of ops) console.log(`${size.toLocaleString().padEnd(13)} ${r.op.padEnd(16)} ${(r.count / r.seconds).toFixed(0).padStart(6)}  ${r.p50.toFixed(2).padStart(7)}  ${r.p99.toFixed(2).padStart(7)}`);
  }
  const largest = sizes[sizes.length - 1]!;
  const first = results.get(largest)!.find((r) => r.op === 'first-page')!;
  console.log(`\nfirst page p99 at ${largest.toLocaleString()}: ${first.p99.toFixed(2)} ms (goal ≤ 20 ms) ${first.p99 <= 20 ? 'OK' : 'OVER'}`);
  if (sizes.length >= 2) {
    const small = results.get(sizes[0]!)!;
    for (const r of results.get(largest)!) {
      const ratio = r.p99 / small.find((s) => s.op === r.op)!.p99;
      console.log(`  ${r.op.padEnd(16)} p99 ×${ratio.toFixed(2)} vs ${sizes[0]!.toLocaleString()} ${ratio <= 1.5 ? 'OK' : 'OVER 1.5'}`);
    }
  }
}

/** Every (channel, type) with a payload its schema accepts, cycled through by the seed. */
const SAMPLES: Array<Pick<Interaction, 'channel' | 'type' | 'payload'>> = [
  { channel: 'sms', type: 'message', payload: { text: '您好，您的订单已发货', direction: 'outbound' } },
  { channel: 'wechat_work', type: 'message', payload: { text: '在吗？想问一下价格', direction: 'inbound', msgType: 'text', externalUserId: 'wm-1' } },
  { channel: 'phone_call', type: 'call', payload: { direction: 'inbound', durationSec: 184, outcome: 'answered', hotline: '400-810-8888' } },
  { channel: 'pos_purchase', type: 'purchase', payload: { orderId: 'P-1', storeId: 'SH-01', amount: 598, currency: 'CNY', lines: [{ sku: 'A1', quantity: 2, unitPrice: 299 }] } },
  { channel: 'store_visit', type: 'try_on', payload: { storeId: 'SH-01', sku: 'DRESS-7', size: 'M' } },
  { channel: 'email', type: 'message', payload: { text: 'Please find the offer attached.', direction: 'outbound', subject: 'Offer' } },
  { channel: 'web_form', type: 'submission', payload: { formId: 'trial', fields: { seats: 20 } } },
  { channel: 'survey', type: 'response', payload: { surveyId: 'nps', nps: 9, answers: {} } },
];

async function benchSize(size: number, perCustomer: number, concurrency: number, requests: number): Promise<OpResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), `crm-bench-timeline-${size}-`));
  try {
    const t0 = performance.now();
    const customers = await seed(dataDir, Math.max(1, Math.ceil(size / perCustomer)));
    await seedInteractions(dataDir, customers, size);
    console.error(`seeded ${customers.length.toLocaleString()} customers and ${size.toLocaleString()} interactions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const key = await loadOrCreateSigningKey(dataDir);
    const token = await mintAccessToken(key, { tenantId: TENANT, userId: 'bench', roles: ['admin'] });
    const server = await startServer(dataDir);
    try {
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${server.url}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
        const text = await res.text();
        if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${text}`);
        return text;
      };
      const pick = (i: number) => customers[Math.floor(((i * 2654435761) % 4294967296) / 4294967296 * customers.length)]!;
      await load(500, concurrency, (i) => call('GET', `/v1/customers/${customers[(i * 7919) % customers.length]}/timeline?limit=50`));
      let clientIds = 0;
      return [
        { op: 'first-page', ...(await load(requests, concurrency, (i) => call('GET', `/v1/customers/${pick(i)}/timeline?limit=50`))) },
        { op: 'first-page-sms', ...(await load(requests, concurrency, (i) => call('GET', `/v1/customers/${pick(i)}/timeline?limit=20&channel=sms`))) },
        {
          op: 'batch-100',
          ...(await load(Math.max(20, Math.floor(requests / 40)), concurrency, (i) => call('POST', '/v1/interactions/batch', {
            items: Array.from({ length: 100 }, (_, n) => ({
              clientId: `bench-${(clientIds += 1)}`, customerId: pick(i * 100 + n), occurredAt: new Date().toISOString(), ...SAMPLES[n % SAMPLES.length]!,
            })),
          }))),
        },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Timeline items straight through the port, spread evenly over the customers and the last year. */
async function seedInteractions(dataDir: string, customers: string[], size: number): Promise<void> {
  const db = openSqliteDatabase(join(dataDir, 'crm.sqlite'));
  const store = new SqliteTableStore({ db, clock: systemClock });
  const ids = ulidGenerator();
  const now = Date.now();
  const createdAt = new Date(now).toISOString();
  let batch: TransactOperation[] = [];
  for (let n = 0; n < size; n++) {
    const sample = SAMPLES[n % SAMPLES.length]!;
    const interaction: Interaction = {
      id: ids.next(), customerId: customers[n % customers.length]!, ...sample,
      occurredAt: new Date(now - ((n * 7_919_000) % 31_536_000_000)).toISOString(), createdAt, createdBy: 'seed',
    };
    batch.push({ type: 'put', item: timelineItem(TENANT, interaction, 'customerId') });
    if (batch.length >= 100) {
      await store.transact(batch);
      batch = [];
    }
  }
  if (batch.length) await store.transact(batch);
  db.exec('DELETE FROM changelog');
  db.close();
}
