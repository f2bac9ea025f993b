import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import {
  applyContribution, contributionOf, counterItem, dealItem, pipelineItem, PipelineInput, type Deal, type Pipeline, type StageCounter, type TransactOperation,
} from '@crm/core';
import { loadOrCreateSigningKey, mintAccessToken } from '@crm/local-runtime';
import { ulidGenerator } from '@crm/runtime';
import { load, OWNERS, startServer, TENANT, type OpResult } from './bench-kit';

/**
 * Kanban board of one pipeline with N deals (default 100 k over 6 stages) through the local HTTP
 * server (a separate process): `GET /v1/pipelines/{id}/board` (counts + sums per stage from the
 * stage counters, first 20 deals per stage from gsi1), counts only (`limit=0`), and one column's
 * next page. Counts must not depend on N: compare `--sizes 10000,100000`.
 *
 *   npm run bench -- board [--sizes 100000] [--requests 500] [--concurrency 8]
 */
export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { sizes: { type: 'string' }, concurrency: { type: 'string' }, requests: { type: 'string' } } });
  const sizes = (values.sizes ?? '100000').split(',').map(Number);
  const concurrency = Number(values.concurrency ?? 8);
  const requests = Number(values.requests ?? 500);
  const results = new Map<number, OpResult[]>();
  for (const size of sizes) results.set(size, await benchSize(size, concurrency, requests));

  console.log(`\nboard benchmark — local HTTP server (SQLite), one pipeline with 6 stages, ${concurrency} concurrent clients, ${requests} requests per op`);
  console.log('deals         op                  req/s    p50 ms   p99 ms');
  for (const [size, ops] of results) {
    for (const r of ops) console.log(`${size.toLocaleString().padEnd(13)} ${r.op.padEnd(19)} ${(r.count / r.seconds).toFixed(0).padStart(6)}  ${r.p50.toFixed(2).padStart(7)}  ${r.p99.toFixed(2).padStart(7)}`);
  }
  const largest = sizes[sizes.length - 1]!;
  const board = results.get(largest)!.find((r) => r.op === 'board')!;
  console.log(`\nboard p99 at ${largest.toLocaleString()} deals: ${board.p99.toFixed(2)} ms`);
}

const PIPELINE = PipelineInput.parse({
  name: 'New sales',
  stages: [
    { key: 'lead', name: 'Lead', probability: 10, slaDays: 14 },
    { key: 'qualified', name: 'Qualified', probability: 25, slaDays: 14 },
    { key: 'proposal', name: 'Proposal', probability: 50 },
    { key: 'negotiation', name: 'Negotiation', probability: 75 },
    { key: 'won', name: 'Won', probability: 100, outcome: 'won' },
    { key: 'lost', name: 'Lost', probability: 0, outcome: 'lost' },
  ],
});
const ORG_PATHS = ['/', '/hq/east', '/hq/west', '/hq/south'];
const CURRENCIES = ['CNY', 'CNY', 'CNY', 'USD'];

/**
 * Writes the pipeline, the deals and their stage counters straight through the table-store port with
 * the use cases' own item builders (pipelineItem, dealItem, counterItem); the counters are summed in
 * memory and written once, as the use cases would have left them.
 */
async function seedBoard(dataDir: string, size: number): Promise<Pipeline> {
  const db = openSqliteDatabase(join(dataDir, 'crm.sqlite'));
  const store = new SqliteTableStore({ db, clock: { now: () => new Date() } });
  const ids = ulidGenerator();
  const now = new Date().toISOString();
  const pipeline: Pipeline = { id: ids.next(), ...PIPELINE, source: 'api', version: 1, createdAt: now, updatedAt: now, createdBy: 'seed', updatedBy: 'seed' };
  const counters = new Map<string, StageCounter>();
  const customerId = ids.next();
  let batch: TransactOperation[] = [{ type: 'put', item: pipelineItem(TENANT, pipeline) }];
  db.exec('BEGIN');
  for (let n = 0; n < size; n++) {
    if (n > 0 && n % 10_000 === 0) db.exec('COMMIT; BEGIN');
    const stage = PIPELINE.stages[n % PIPELINE.stages.length]!;
    const day = String(1 + (n % 28)).padStart(2, '0');
    const month = String(1 + (Math.floor(n / 28) % 12)).padStart(2, '0');
    const deal: Deal = {
      id: ids.next(), name: `Deal ${n}`, amount: 1000 + (n % 997) * 10.5, currency: CURRENCIES[n % CURRENCIES.length]!, expectedCloseDate: `2027-${month}-${day}`,
      ownerId: OWNERS[n % OWNERS.length]!, orgPath: ORG_PATHS[n % ORG_PATHS.length]!, customerId, contactIds: [], pipelineId: pipeline.id,
      stage: stage.key, stageEnteredAt: now, ...(stage.outcome ? { outcome: stage.outcome, closedAt: now, closeReason: 'seed' } : {}),
      version: 1, createdAt: now, updatedAt: now, createdBy: 'seed', updatedBy: 'seed',
    };
    const c = contributionOf(deal)!;
    const key = `${c.stage}\n${c.orgPath}`;
    const counter = counters.get(key) ?? { pipelineId: pipeline.id, stage: c.stage, orgPath: c.orgPath, count: 0, amountCents: {}, version: 0 };
    applyContribution(counter, c, 1);
    counters.set(key, counter);
    batch.push({ type: 'put', item: dealItem(TENANT, deal, stage) });
    if (batch.length >= 90) {
      await store.transact(batch);
      batch = [];
    }
  }
  for (const counter of counters.values()) batch.push({ type: 'put', item: counterItem(TENANT, { ...counter, version: 1 }) });
  if (batch.length) await store.transact(batch);
  db.exec('COMMIT');
  db.exec('DELETE FROM changelog'); // nobody consumes the seed's change feed
  db.close();
  return pipeline;
}

async function benchSize(size: number, concurrency: number, requests: number): Promise<OpResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), `crm-bench-board-${size}-`));
  try {
    const t0 = performance.now();
    const pipeline = await seedBoard(dataDir, size);
    console.error(`seeded ${size.toLocaleString()} deals in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const key = await loadOrCreateSigningKey(dataDir);
    const token = await mintAccessToken(key, { tenantId: TENANT, userId: 'bench', roles: ['admin'] });
    const server = await startServer(dataDir);
    try {
      const get = async (path: string) => {
        const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`GET ${path} → ${res.status} ${text}`);
        return JSON.parse(text) as { stages: Array<{ key: string; count: number; amount: Record<string, number>; items: unknown[]; next?: string }> };
      };
      const board = `/v1/pipelines/${pipeline.id}/board`;
      const sample = await get(board);
      const total = sample.stages.reduce((n, s) => n + s.count, 0);
      if (total !== size) throw new Error(`board counts ${total} deals, seeded ${size}`);
      console.error(`board: ${sample.stages.map((s) => `${s.key} ${s.count} (${Object.entries(s.amount).map(([c, a]) => `${c} ${a.toLocaleString()}`).join(', ')})`).join('; ')}`);
      const next = sample.stages[0]!.next!;
      await load(100, concurrency, () => get(board)); // warm-up
      return [
        { op: 'board', ...(await load(requests, concurrency, () => get(board))) },
        { op: 'board-counts-only', ...(await load(requests, concurrency, () => get(`${board}?limit=0`))) },
        { op: 'column-next-page', ...(await load(requests, concurrency, () => get(`${board}?stage=lead&after=${encodeURIComponent(next)}`))) },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
