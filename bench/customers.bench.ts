import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { normalisePhoneInputs, systemClock, derivedItemOperations, toProfileItem, type Customer, type TransactOperation } from '@crm/core';
import { loadOrCreateSigningKey, mintAccessToken } from '@crm/local-runtime';
import { ulidGenerator } from '@crm/runtime';

/**
 * Customers API through the local HTTP server (a separate process, as `npm start` runs it) with
 * N customers already in the store: create, get and list — requests/s and p50/p99 per operation.
 * The figure at the largest size must stay within 1.5x of the smallest (no scans).
 */
const TENANT = 'bench-tenant';
const SYLLABLES = ['an', 'bo', 'chen', 'da', 'er', 'fu', 'gao', 'hu', 'jin', 'kai', 'li', 'ma', 'ning', 'ou', 'peng', 'qi', 'ren', 'su', 'tang', 'wang', 'xu', 'yang', 'zhou', 'zhang'];
const OWNERS = Array.from({ length: 50 }, (_, i) => `rep-${i}`);

interface OpResult { op: string; count: number; seconds: number; p50: number; p99: number }

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { sizes: { type: 'string' }, concurrency: { type: 'string' }, requests: { type: 'string' } } });
  const sizes = (values.sizes ?? '10000,1000000').split(',').map(Number);
  const concurrency = Number(values.concurrency ?? 8);
  const requests = Number(values.requests ?? 4000);
  const results = new Map<number, OpResult[]>();
  for (const size of sizes) {
    results.set(size, await benchSize(size, concurrency, requests));
  }
  printReport(results, concurrency);
}

async function benchSize(size: number, concurrency: number, requests: number): Promise<OpResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), `crm-bench-${size}-`));
  try {
    const t0 = performance.now();
    const ids = await seed(dataDir, size);
    console.error(`seeded ${size.toLocaleString()} customers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
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
      // Warm-up: JIT, SQLite page cache for the hot paths.
      await load(500, concurrency, (i) => call('GET', `/v1/customers/${ids[(i * 7919) % ids.length]}`));
      const pick = (i: number) => ids[Math.floor(((i * 2654435761) % 4294967296) / 4294967296 * ids.length)]!;
      return [
        { op: 'create', ...(await load(requests, concurrency, (i) => call('POST', '/v1/customers', customerBody(size + i)))) },
        { op: 'get', ...(await load(requests, concurrency, (i) => call('GET', `/v1/customers/${pick(i)}`))) },
        { op: 'list', ...(await load(requests, concurrency, (i) => call('GET', listPath(i)))) },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** First pages of the common list shapes: all, name prefix, owner, tag, kind. */
function listPath(i: number): string {
  const prefix = SYLLABLES[i % SYLLABLES.length];
  switch (i % 5) {
    case 0: return '/v1/customers?limit=50';
    case 1: return `/v1/customers?limit=50&namePrefix=${prefix}`;
    case 2: return `/v1/customers?limit=50&ownerId=${OWNERS[i % OWNERS.length]}`;
    case 3: return '/v1/customers?limit=50&tag=vip';
    default: return '/v1/customers?limit=50&kind=company';
  }
}

function customerBody(n: number) {
  const name = `${SYLLABLES[n % SYLLABLES.length]} ${SYLLABLES[Math.floor(n / 24) % SYLLABLES.length]} ${n}`;
  return {
    kind: (n % 10 === 0 ? 'company' : 'person') as Customer['kind'],
    name,
    phones: [{ number: `+86 138 ${String(n % 10_000_000).padStart(8, '0')}`, label: 'mobile' as const }],
    emails: [{ address: `c${n}@example.cn` }],
    tags: n % 20 === 0 ? ['vip'] : [],
    ownerId: OWNERS[n % OWNERS.length]!,
    customFields: { source: 'bench', score: n % 100 },
  };
}

/** Writes customers straight through the table-store port (the seeding is not what is measured). */
async function seed(dataDir: string, size: number): Promise<string[]> {
  const db = openSqliteDatabase(join(dataDir, 'crm.sqlite'));
  const store = new SqliteTableStore({ db, clock: systemClock });
  const ids = ulidGenerator();
  const out: string[] = [];
  const now = new Date().toISOString();
  let batch: TransactOperation[] = [];
  for (let n = 0; n < size; n++) {
    const body = customerBody(n);
    const customer: Customer = {
      id: ids.next(), ...body, phones: normalisePhoneInputs(body.phones), orgPath: '/', version: 1, createdAt: now, updatedAt: now, createdBy: 'seed', updatedBy: 'seed',
    };
    out.push(customer.id);
    batch.push({ type: 'put', item: toProfileItem(TENANT, customer) }, ...derivedItemOperations(TENANT, undefined, customer, []));
    if (batch.length >= 90) {
      await store.transact(batch);
      batch = [];
    }
  }
  if (batch.length) await store.transact(batch);
  db.exec('DELETE FROM changelog'); // nobody consumes the seed's change feed
  db.close();
  return out;
}

async function startServer(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', resolve('packages/local-runtime/src/main.ts'), 'start'], {
    env: {
      ...process.env, PORT: '0', HOST: '127.0.0.1', CRM_DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'ERROR',
      // The bench measures the server, not the product's per-user limit (100 req/s, docs/adr/0007):
      // one user at thousands of req/s would be answered 429 almost every time.
      CRM_RATE_LIMIT_USER: '1000000/1000000',
      CRM_RATE_LIMIT_TENANT: '1000000/1000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /API\s+(http:\/\/[^/\s]+)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
  });
  return {
    url,
    // Wait for the server to exit, so its last writes (audit archive) land before the folder goes.
    stop: () => new Promise<void>((ok) => {
      child.once('exit', () => ok());
      child.kill('SIGTERM');
    }),
  };
}

/** Runs `count` requests with `concurrency` in flight; latency per request in ms. */
async function load(count: number, concurrency: number, request: (i: number) => Promise<unknown>): Promise<Omit<OpResult, 'op'>> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      const start = performance.now();
      await request(i);
      latencies.push(performance.now() - start);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { count, seconds, p50: q(0.5), p99: q(0.99) };
}

function printReport(results: Map<number, OpResult[]>, concurrency: number): void {
  console.log(`\ncustomers benchmark — local HTTP server (SQLite), ${concurrency} concurrent clients, keep-alive`);
  console.log('size       op      req/s    p50 ms   p99 ms');
  for (const [size, ops] of results) {
    for (const r of ops) {
      console.log(`${size.toLocaleString().padEnd(10)} ${r.op.padEnd(7)} ${(r.count / r.seconds).toFixed(0).padStart(6)}  ${r.p50.toFixed(2).padStart(7)}  ${r.p99.toFixed(2).padStart(7)}`);
    }
  }
  const sizes = [...results.keys()];
  if (sizes.length >= 2) {
    const small = results.get(sizes[0]!)!;
    const large = results.get(sizes[sizes.length - 1]!)!;
    console.log(`\nratio ${sizes[sizes.length - 1]!.toLocaleString()} vs ${sizes[0]!.toLocaleString()} (p99 latency; ≤ 1.5 means no scan):`);
    for (const r of large) {
      const base = small.find((s) => s.op === r.op)!;
      const ratio = r.p99 / base.p99;
      const throughput = (base.count / base.seconds) / (r.count / r.seconds);
      console.log(`  ${r.op.padEnd(7)} p99 ×${ratio.toFixed(2)}  throughput ×${throughput.toFixed(2)} slower  ${Math.max(ratio, throughput) <= 1.5 ? 'OK' : 'OVER 1.5'}`);
    }
    const getP99 = large.find((r) => r.op === 'get')!.p99;
    console.log(`  GET p99 at ${sizes[sizes.length - 1]!.toLocaleString()}: ${getP99.toFixed(2)} ms (goal ≤ 20 ms) ${getP99 <= 20 ? 'OK' : 'OVER'}`);
  }
}
