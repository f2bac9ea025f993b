import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateSigningKey, mintAccessToken } from '@crm/local-runtime';
import { customerBody, load, seed, startServer, TENANT, type OpResult } from './bench-kit';

/**
 * Create with the duplicate check (policy `warn`) through the local HTTP server, with N customers
 * (and their blocking-key items) already stored: new customers (every key looked up, nothing found)
 * and customers sharing an existing phone and email (candidates found, scored, returned). Goal: p99
 * at 1 M within 1.5× of 10 k — the lookups are key reads, not scans.
 */
export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { sizes: { type: 'string' }, concurrency: { type: 'string' }, requests: { type: 'string' } } });
  const sizes = (values.sizes ?? '10000,1000000').split(',').map(Number);
  const concurrency = Number(values.concurrency ?? 8);
  const requests = Number(values.requests ?? 3000);
  const results = new Map<number, OpResult[]>();
  for (const size of sizes) results.set(size, await benchSize(size, concurrency, requests));

  console.log(`\ndedupe benchmark — create with duplicate check, local HTTP server (SQLite), ${concurrency} concurrent clients`);
  console.log('size       op               req/s    p50 ms   p99 ms');
  for (const [size, ops] of results) {
    for (const r of ops) console.log(`${size.toLocaleString().padEnd(10)} ${r.op.padEnd(16)} ${(r.count / r.seconds).toFixed(0).padStart(6)}  ${r.p50.toFixed(2).padStart(7)}  ${r.p99.toFixed(2).padStart(7)}`);
  }
  if (sizes.length >= 2) {
    const small = results.get(sizes[0]!)!;
    const large = results.get(sizes[sizes.length - 1]!)!;
    console.log(`\nratio ${sizes[sizes.length - 1]!.toLocaleString()} vs ${sizes[0]!.toLocaleString()} (goal ≤ 1.5):`);
    for (const r of large) {
      const base = small.find((s) => s.op === r.op)!;
      const p50 = r.p50 / base.p50;
      const p99 = r.p99 / base.p99;
      console.log(`  ${r.op.padEnd(16)} p50 ×${p50.toFixed(2)}  p99 ×${p99.toFixed(2)}  ${Math.max(p50, p99) <= 1.5 ? 'OK' : 'OVER 1.5'}`);
    }
  }
}

async function benchSize(size: number, concurrency: number, requests: number): Promise<OpResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), `crm-dedupe-${size}-`));
  try {
    const t0 = performance.now();
    await seed(dataDir, size);
    console.error(`seeded ${size.toLocaleString()} customers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const token = await mintAccessToken(await loadOrCreateSigningKey(dataDir), { tenantId: TENANT, userId: 'bench', roles: ['admin'] });
    const server = await startServer(dataDir);
    try {
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      let found = 0;
      const create = async (body: unknown) => {
        const res = await fetch(`${server.url}/v1/customers`, { method: 'POST', headers, body: JSON.stringify(body) });
        const json = (await res.json()) as { duplicates?: unknown[] };
        if (res.status !== 201) throw new Error(`POST /v1/customers → ${res.status} ${JSON.stringify(json)}`);
        if (json.duplicates?.length) found += 1;
      };
      await load(300, concurrency, (i) => create(customerBody(size * 2 + i))); // warm-up
      const fresh = await load(requests, concurrency, (i) => create(customerBody(size + i)));
      const freshFound = found;
      found = 0;
      // Same phone and email as a stored customer (spread over the whole range), another name.
      const dupes = await load(requests, concurrency, (i) => create({ ...customerBody(Math.floor((i * 7919) % size)), name: `Dup ${i}` }));
      if (freshFound !== 0 || found !== requests) throw new Error(`expected 0 and ${requests} duplicate hits, got ${freshFound} and ${found}`);
      return [{ op: 'create-new', ...fresh }, { op: 'create-duplicate', ...dupes }];
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
