import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { normalisePhoneInputs, systemClock, derivedItemOperations, toProfileItem, type Customer, type TransactOperation } from '@crm/core';
import { ulidGenerator } from '@crm/runtime';

/** Shared by the HTTP benchmarks: seeding through the port, a separate server process, a load loop. */
export const TENANT = 'bench-tenant';
export const SYLLABLES = ['an', 'bo', 'chen', 'da', 'er', 'fu', 'gao', 'hu', 'jin', 'kai', 'li', 'ma', 'ning', 'ou', 'peng', 'qi', 'ren', 'su', 'tang', 'wang', 'xu', 'yang', 'zhou', 'zhang'];
export const OWNERS = Array.from({ length: 50 }, (_, i) => `rep-${i}`);

export interface OpResult { op: string; count: number; seconds: number; p50: number; p99: number }

export function customerBody(n: number) {
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
export async function seed(dataDir: string, size: number): Promise<string[]> {
  const db = openSqliteDatabase(join(dataDir, 'crm.sqlite'));
  const store = new SqliteTableStore({ db, clock: systemClock });
  const ids = ulidGenerator();
  const out: string[] = [];
  const now = new Date().toISOString();
  let batch: TransactOperation[] = [];
  // Port transactions nest as savepoints inside one SQLite transaction per 10,000 customers: the
  // same items and keys, a commit per chunk instead of per 90 items.
  db.exec('BEGIN');
  for (let n = 0; n < size; n++) {
    if (n > 0 && n % 10_000 === 0) db.exec('COMMIT; BEGIN');
    const body = customerBody(n);
    const customer: Customer = {
      id: ids.next(), ...body, phones: normalisePhoneInputs(body.phones), orgPath: '/', version: 1, createdAt: now, updatedAt: now, createdBy: 'seed', updatedBy: 'seed',
    };
    out.push(customer.id);
    batch.push({ type: 'put', item: toProfileItem(TENANT, customer) }, ...derivedItemOperations(TENANT, undefined, customer, { fields: [], sensitiveFields: [] }));
    if (batch.length >= 90) {
      await store.transact(batch);
      batch = [];
    }
  }
  if (batch.length) await store.transact(batch);
  db.exec('COMMIT');
  db.exec('DELETE FROM changelog'); // nobody consumes the seed's change feed
  db.close();
  return out;
}

export async function startServer(dataDir: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  // BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of the server process (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', resolve(process.env.BENCH_CPU_PROFILE)] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', resolve('packages/local-runtime/src/main.ts'), 'start'], {
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
    pid: child.pid!,
    // Wait for the server to exit, so its last writes (audit archive) land before the folder goes.
    stop: () => new Promise<void>((ok) => {
      child.once('exit', () => ok());
      child.kill('SIGTERM');
    }),
  };
}

/** Runs `count` requests with `concurrency` in flight; latency per request in ms. */
export async function load(count: number, concurrency: number, request: (i: number) => Promise<unknown>): Promise<Omit<OpResult, 'op'>> {
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

