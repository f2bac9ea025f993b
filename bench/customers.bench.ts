import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateSigningKey, mintAccessToken } from '@crm/local-runtime';
import { customerBody, load, OWNERS, seed, startServer, SYLLABLES, TENANT, type OpResult } from './bench-kit';

/**
 * Customers API through the local HTTP server (a separate process, as `npm start` runs it) with
 * N customers already in the store: create, get and list — requests/s and p50/p99 per operation.
 * The figure at the largest size must stay within 1.5x of the smallest (no scans).
 */

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
