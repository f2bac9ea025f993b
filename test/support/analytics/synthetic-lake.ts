import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Small synthetic lake data for the report tests: rows generated in TypeScript (so the tests can
 * compute the expected answers from the very same rows) and written as Parquet by DuckDB in the lake
 * layout `<table>/tenant=<t>/dt=<yyyy-mm-dd>/*.parquet` (ZSTD).
 */
export interface OrderRow {
  tenant_id: string; order_id: string; customer_id: string; amount_cents: number; currency: string;
  status: 'paid' | 'refunded' | 'cancelled'; ordered_at: string; source: string; version: number;
  /** The partition folder it is written to (normally = tenant_id; a test plants a stray row). */
  partition_tenant: string;
}

export interface StageChangeRow {
  tenant_id: string; deal_id: string; pipeline_id: string; from_stage: string | null; to_stage: string;
  outcome: 'won' | 'lost' | null; changed_at: string; duration_ms: number | null; amount_cents: number; currency: string; owner_id: string;
  partition_tenant: string;
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `YYYY-MM-DD HH:MM:SS.sss` of an epoch ms, UTC. */
export const sqlTs = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

const DAY = 86_400_000;

/**
 * Orders of `tenant`: `customers` customers, several orders each over ~90 days before `endMs`,
 * three currencies, some orders in later versions refunded or cancelled, some paid again.
 */
export function generateOrders(tenant: string, customers: number, endMs: number, seed: number, orderIdPrefix = tenant): OrderRow[] {
  const rnd = prng(seed);
  const rows: OrderRow[] = [];
  let n = 0;
  for (let c = 0; c < customers; c++) {
    const customer = `${tenant}-c${String(c).padStart(4, '0')}`;
    const orders = 1 + Math.floor(rnd() * 8);
    for (let k = 0; k < orders; k++) {
      const orderId = `${orderIdPrefix}-o${n++}`;
      const at = endMs - Math.floor(rnd() * 90 * DAY) + (rnd() < 0.05 ? 5 * DAY : 0); // a few after as_of
      const base = {
        tenant_id: tenant, order_id: orderId, customer_id: customer,
        amount_cents: 100 + Math.floor(rnd() * 500_000) + (c % 7 === 0 ? 1_000_000 : 0),
        currency: rnd() < 0.7 ? 'CNY' : rnd() < 0.5 ? 'EUR' : 'USD',
        ordered_at: sqlTs(at), source: 'api', partition_tenant: tenant,
      };
      rows.push({ ...base, status: 'paid', version: 1 });
      const r = rnd();
      if (r < 0.12) rows.push({ ...base, status: 'refunded', version: 2 });
      else if (r < 0.18) rows.push({ ...base, status: 'cancelled', version: 2 });
      else if (r < 0.24) {
        // Refunded and then (a later version) paid again: the latest version wins.
        rows.push({ ...base, status: 'refunded', version: 2 }, { ...base, status: 'paid', version: 3 });
      }
    }
  }
  return rows;
}

/** Deal stage changes of `tenant` in two pipelines along `stages`, some deals lost on the way. */
export function generateStageChanges(tenant: string, deals: number, startMs: number, seed: number): StageChangeRow[] {
  const rnd = prng(seed);
  const stages = ['lead', 'qualified', 'proposal', 'negotiation', 'won'];
  const rows: StageChangeRow[] = [];
  for (let d = 0; d < deals; d++) {
    const dealId = `${tenant}-d${d}`;
    const pipeline = d % 3 === 0 ? 'p-2' : 'p-1';
    let at = startMs + Math.floor(rnd() * 60 * DAY);
    const common = { tenant_id: tenant, deal_id: dealId, pipeline_id: pipeline, amount_cents: 1000 * (1 + d % 50), currency: 'CNY', owner_id: `u${d % 5}`, partition_tenant: tenant };
    rows.push({ ...common, from_stage: null, to_stage: 'lead', outcome: null, changed_at: sqlTs(at), duration_ms: null });
    for (let s = 0; s < stages.length - 1; s++) {
      const stay = 1000 + Math.floor(rnd() * 20 * DAY);
      at += stay;
      if (rnd() < 0.25) {
        rows.push({ ...common, from_stage: stages[s]!, to_stage: 'lost', outcome: 'lost', changed_at: sqlTs(at), duration_ms: stay });
        break;
      }
      const to = stages[s + 1]!;
      rows.push({ ...common, from_stage: stages[s]!, to_stage: to, outcome: to === 'won' ? 'won' : null, changed_at: sqlTs(at), duration_ms: stay });
      // Some deals step back and forward again (a stage reached twice counts once).
      if (rnd() < 0.1 && s > 0) {
        const back = 1000 + Math.floor(rnd() * DAY);
        at += back;
        rows.push({ ...common, from_stage: to, to_stage: stages[s]!, outcome: null, changed_at: sqlTs(at), duration_ms: back });
        const again = 1000 + Math.floor(rnd() * DAY);
        at += again;
        rows.push({ ...common, from_stage: stages[s]!, to_stage: to, outcome: null, changed_at: sqlTs(at), duration_ms: again });
      }
      if (to === 'won') break;
    }
  }
  return rows;
}

const ORDER_COLUMNS = `{'tenant_id': 'VARCHAR', 'order_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'amount_cents': 'BIGINT', 'currency': 'VARCHAR', 'status': 'VARCHAR', 'ordered_at': 'TIMESTAMP', 'source': 'VARCHAR', 'version': 'INTEGER', 'partition_tenant': 'VARCHAR'}`;
const CHANGE_COLUMNS = `{'tenant_id': 'VARCHAR', 'deal_id': 'VARCHAR', 'pipeline_id': 'VARCHAR', 'from_stage': 'VARCHAR', 'to_stage': 'VARCHAR', 'outcome': 'VARCHAR', 'changed_at': 'TIMESTAMP', 'duration_ms': 'BIGINT', 'amount_cents': 'BIGINT', 'currency': 'VARCHAR', 'owner_id': 'VARCHAR', 'partition_tenant': 'VARCHAR'}`;

/** Writes the rows into `<lakeRoot>/orders` and `<lakeRoot>/deal_stage_changes` as Parquet (ZSTD, Hive partitions). */
export async function writeLake(connection: DuckDBConnection, lakeRoot: string, orders: readonly OrderRow[], changes: readonly StageChangeRow[], filePrefix = 'part'): Promise<void> {
  mkdirSync(lakeRoot, { recursive: true });
  const ordersJson = join(lakeRoot, '..', `${filePrefix}-orders.jsonl`);
  const changesJson = join(lakeRoot, '..', `${filePrefix}-changes.jsonl`);
  writeFileSync(ordersJson, orders.map((r) => JSON.stringify(r)).join('\n'));
  writeFileSync(changesJson, changes.map((r) => JSON.stringify(r)).join('\n'));
  if (orders.length) await connection.run(`COPY (
    SELECT tenant_id, order_id, customer_id, CAST(CAST(amount_cents AS DECIMAL(18,2)) / 100 AS DECIMAL(18,2)) AS amount, currency, status, ordered_at, source, version,
           partition_tenant AS tenant, strftime(ordered_at, '%Y-%m-%d') AS dt
    FROM read_json('${ordersJson}', columns = ${ORDER_COLUMNS}, format = 'newline_delimited')
  ) TO '${join(lakeRoot, 'orders')}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (tenant, dt), OVERWRITE_OR_IGNORE, FILENAME_PATTERN '${filePrefix}-{i}')`);
  if (changes.length) await connection.run(`COPY (
    SELECT tenant_id, deal_id, pipeline_id, from_stage, to_stage, outcome, changed_at, duration_ms,
           CAST(CAST(amount_cents AS DECIMAL(18,2)) / 100 AS DECIMAL(18,2)) AS amount, currency, owner_id,
           partition_tenant AS tenant, strftime(changed_at, '%Y-%m-%d') AS dt
    FROM read_json('${changesJson}', columns = ${CHANGE_COLUMNS}, format = 'newline_delimited')
  ) TO '${join(lakeRoot, 'deal_stage_changes')}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (tenant, dt), OVERWRITE_OR_IGNORE, FILENAME_PATTERN '${filePrefix}-{i}')`);
}
