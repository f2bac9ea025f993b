import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSqliteDatabase } from '@crm/adapters/sqlite';
import { loadOrCreateSigningKey, mintAccessToken } from '@crm/local-runtime';
import { seed, startServer, TENANT } from './bench-kit';

/**
 * Sustained ingestion through the local HTTP batch endpoint (a separate server process, as
 * `npm start` runs it): `concurrency` clients post batches of `batch` SMS interactions for
 * `seconds`, then the run checks that every accepted item is stored exactly once (SQLite count) and
 * published exactly once (the local event bus log, after the change feed has drained).
 *
 *   npm run bench -- ingest --seconds 60 --batch 500 --concurrency 4
 */
export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { seconds: { type: 'string' }, batch: { type: 'string' }, concurrency: { type: 'string' }, customers: { type: 'string' } } });
  const seconds = Number(values.seconds ?? 60);
  const batch = Number(values.batch ?? 500);
  const concurrency = Number(values.concurrency ?? 4);
  const customers = Number(values.customers ?? 1000);
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-bench-ingest-'));
  try {
    const ids = await seed(dataDir, customers);
    const token = await mintAccessToken(await loadOrCreateSigningKey(dataDir), { tenantId: TENANT, userId: 'bench', roles: ['admin'] });
    const server = await startServer(dataDir);
    let stopped = false;
    const stop = async () => {
      if (!stopped) await server.stop();
      stopped = true;
    };
    let accepted = 0;
    let requests = 0;
    const latencies: number[] = [];
    const t0 = performance.now();
    try {
      const until = t0 + seconds * 1000;
      await Promise.all(Array.from({ length: concurrency }, async (_, lane) => {
        for (let n = 0; performance.now() < until; n += 1) {
          const items = Array.from({ length: batch }, (_, i) => ({
            clientId: `b${lane}-${n}-${i}`, customerId: ids[(lane * 7919 + n * 104729 + i) % ids.length],
            channel: 'sms', type: 'message', occurredAt: new Date(Date.UTC(2026, 10, 1) + n * 1000 + i).toISOString(),
            payload: { text: `您好，订单 ${n}-${i} 已发货`, direction: 'outbound' },
          }));
          const start = performance.now();
          const res = await fetch(`${server.url}/v1/interactions/batch`, {
            method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ items }),
          });
          const body = (await res.json()) as { counts?: { created: number } };
          if (res.status !== 200 || !body.counts) throw new Error(`batch → ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
          latencies.push(performance.now() - start);
          accepted += body.counts.created;
          requests += 1;
        }
      }));
      const elapsed = (performance.now() - t0) / 1000;
      // Exactly once published: wait for the change feed to drain into the local bus log.
      const log = join(dataDir, 'events', 'events.jsonl');
      const published = async () => {
        const deadline = Date.now() + 300_000;
        for (;;) {
          const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; subject: { id: string } }) : [];
          const recorded = lines.filter((e) => e.type === 'interaction.recorded');
          if (recorded.length >= accepted || Date.now() > deadline) return { total: recorded.length, distinct: new Set(recorded.map((e) => e.subject.id)).size };
          await new Promise((r) => setTimeout(r, 1000));
        }
      };
      const waitStart = performance.now();
      const events = await published();
      const lagSeconds = (performance.now() - waitStart) / 1000;
      await stop();
      const db = openSqliteDatabase(join(dataDir, 'crm.sqlite'));
      const stored = db.prepare("SELECT count(*) AS n, count(DISTINCT sk) AS d FROM items WHERE sk LIKE 'TL#%'").get() as { n: number; d: number };
      db.close();
      latencies.sort((a, b) => a - b);
      const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
      console.log(`\ningest benchmark — local HTTP batch endpoint (SQLite), ${concurrency} clients × batches of ${batch}, ${seconds} s`);
      console.log(`accepted ${accepted.toLocaleString()} interactions in ${requests} batches: ${(accepted / elapsed).toFixed(0)} interactions/s (goal ≥ 5,000)`);
      console.log(`batch latency p50 ${q(0.5).toFixed(0)} ms, p99 ${q(0.99).toFixed(0)} ms`);
      console.log(`stored ${stored.n.toLocaleString()} (distinct ${stored.d.toLocaleString()}) — ${stored.n === accepted && stored.d === accepted ? 'exactly once OK' : 'MISMATCH'}`);
      console.log(`published interaction.recorded ${events.total.toLocaleString()} (distinct ${events.distinct.toLocaleString()}) — ${events.total === accepted && events.distinct === accepted ? 'exactly once OK' : 'MISMATCH'}`);
      console.log(`change feed caught up ${lagSeconds.toFixed(1)} s after the last batch (consumers run in the change-feed worker thread)`);
    } finally {
      await stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
