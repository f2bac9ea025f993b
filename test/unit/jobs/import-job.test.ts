import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { createLocalBlobStore, type LocalBlobStore } from '@crm/adapters/local-blob';
import { createLocalFieldEncryptor } from '@crm/adapters/local-encryption';
import {
  createImport, defaultJobRegistry, importBlobKeys, loadAccessPolicy, loadJob, runJobChunk, startImport, systemClock,
  type CreateImportInput, type Item, type JobDeps, type Principal, type SecuredContext, type TableStore, type TransactOperation,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';

const TENANT = 'acme';
const principal: Principal = { tenantId: TENANT, kind: 'user', subject: 'alice', roles: ['admin'], scopes: [], orgPath: '/' };
const registry = defaultJobRegistry();
const NO_LIMIT = { deadline: Number.MAX_SAFE_INTEGER, maxItems: 1_000_000 };

let db: ReturnType<typeof openSqliteDatabase>;
let store: SqliteTableStore;
let blobs: LocalBlobStore;
let deps: JobDeps;
let ctx: SecuredContext;

beforeEach(async () => {
  db = openSqliteDatabase(':memory:');
  store = new SqliteTableStore({ db, clock: systemClock });
  blobs = createLocalBlobStore(mkdtempSync(join(tmpdir(), 'crm-import-')), { urlSigningKey: Buffer.alloc(32, 7) });
  deps = { store, blobs, clock: systemClock, ids: ulidGenerator(), encryptor: createLocalFieldEncryptor(mkdtempSync(join(tmpdir(), 'crm-keys-'))) };
  ctx = { principal, requestId: 'test', access: await loadAccessPolicy(store, principal) };
});
afterEach(() => db.close());

async function queuedImport(csv: Buffer | string, input: Partial<CreateImportInput> = {}): Promise<string> {
  const job = await createImport(deps, ctx, { filename: 'customers.csv', encoding: 'auto', duplicatePolicy: 'allow', kind: 'person', ...input });
  await blobs.put(importBlobKeys.upload(TENANT, job.id), csv, 'text/csv');
  await startImport(deps, ctx, job.id);
  return job.id;
}

/** Runs chunks the way the change feed would (each saved version triggers the next) until the job ends. */
async function runToEnd(id: string, budget = NO_LIMIT, withDeps: JobDeps = deps): Promise<number> {
  let chunks = 0;
  for (;;) {
    const job = (await loadJob(store, TENANT, id))!;
    if (!['queued', 'running'].includes(job.status)) return chunks;
    await runJobChunk(withDeps, registry, { tenantId: TENANT, id, version: job.version }, budget);
    chunks++;
    if (chunks > 100) throw new Error('the import does not end');
  }
}

async function customerItems(): Promise<Item[]> {
  return (await store.query({ index: 'gsi1', partition: `T#${TENANT}#CUST`, limit: 1000 })).items;
}

async function auditActions(): Promise<string[]> {
  const out: string[] = [];
  for (const row of db.prepare("SELECT data FROM items WHERE pk LIKE ?").all(`T#${TENANT}#AUDIT#%`) as Array<{ data: string }>) {
    out.push((JSON.parse(row.data) as { action: string }).action);
  }
  return out;
}

const rows = (n: number, bad: number[] = []) =>
  ['name,phone,email', ...Array.from({ length: n }, (_, i) => (bad.includes(i + 1) ? `,1390000${String(i).padStart(4, '0')},` : `Person ${String(i + 1).padStart(3, '0')},1390000${String(i).padStart(4, '0')},p${i + 1}@example.com`))].join('\n') + '\n';

describe('import job', () => {
  it('resumes from its checkpoint across many chunks: every row once, errors numbered by file row', async () => {
    const id = await queuedImport(rows(30, [20]));
    const chunks = await runToEnd(id, { deadline: Number.MAX_SAFE_INTEGER, maxItems: 8 });
    expect(chunks).toBeGreaterThanOrEqual(4);
    const job = (await loadJob(store, TENANT, id))!;
    expect(job.status).toBe('succeeded');
    expect(job.progress).toMatchObject({ processed: 30, succeeded: 29, failed: 1 });
    const names = (await customerItems()).map((i) => i.name as string).sort();
    expect(names).toHaveLength(29);
    expect(new Set(names).size).toBe(29);
    expect(names).not.toContain('Person 020');
    const report = (await blobs.get(importBlobKeys.errorReport(TENANT, id)))!.toString('utf8');
    const lines = report.replace(/^\ufeff/, '').trim().split('\n');
    expect(lines[0]).toBe('row,column,code,level,message,name,phone,email');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^20,name,invalid_value,error,/);
  });

  it('writes nothing twice when a chunk dies half-way and is delivered again', async () => {
    const id = await queuedImport(rows(20));
    // The store fails after 11 customer transactions: the chunk dies without saving its checkpoint.
    let writes = 0;
    const transact = async (ops: TransactOperation[]) => {
      if (++writes > 11) throw new Error('connection reset');
      return store.transact(ops);
    };
    const dying = new Proxy(store, {
      get: (target, prop) => {
        if (prop === 'transact') return transact;
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as TableStore;
    const job = (await loadJob(store, TENANT, id))!;
    await expect(runJobChunk({ ...deps, store: dying }, registry, { tenantId: TENANT, id, version: job.version }, NO_LIMIT)).rejects.toThrow('connection reset');
    expect((await customerItems()).length).toBeGreaterThan(0);
    expect((await loadJob(store, TENANT, id))!.version).toBe(job.version); // no checkpoint moved

    await runToEnd(id);
    const done = (await loadJob(store, TENANT, id))!;
    expect(done.status).toBe('succeeded');
    expect(done.progress).toMatchObject({ processed: 20, succeeded: 20, failed: 0 });
    const items = await customerItems();
    expect(items).toHaveLength(20);
    expect(new Set(items.map((i) => i.name)).size).toBe(20);
    const actions = await auditActions();
    expect(actions.filter((a) => a === 'customers:create')).toHaveLength(20);
    expect(actions.filter((a) => a === 'customers:import')).toHaveLength(2); // started + finished
  });

  it('re-runs a last chunk whose final save was lost: same report, nothing created twice', async () => {
    const id = await queuedImport(rows(10, [4]));
    let lost = false;
    const loseFinalSave = new Proxy(store, {
      get: (target, prop) => {
        if (prop === 'transact') {
          return async (ops: TransactOperation[]) => {
            const final = ops.some((o) => o.type === 'put' && o.item.entity === 'job' && o.item.status === 'succeeded');
            if (final && !lost) {
              lost = true;
              throw new Error('timeout');
            }
            return store.transact(ops);
          };
        }
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as TableStore;
    await expect(runToEnd(id, NO_LIMIT, { ...deps, store: loseFinalSave })).rejects.toThrow('timeout');
    expect(lost).toBe(true);
    await runToEnd(id);
    const job = (await loadJob(store, TENANT, id))!;
    expect(job).toMatchObject({ status: 'succeeded', progress: { processed: 10, succeeded: 9, failed: 1 }, result: { errorReport: true } });
    expect(await customerItems()).toHaveLength(9);
    const report = (await blobs.get(importBlobKeys.errorReport(TENANT, id)))!.toString('utf8').trim().split('\n');
    expect(report).toHaveLength(2);
    expect(report[1]).toMatch(/^4,name,/);
  });

  it('skips a stale or duplicate delivery (version check)', async () => {
    const id = await queuedImport(rows(3));
    const job = (await loadJob(store, TENANT, id))!;
    expect(await runJobChunk(deps, registry, { tenantId: TENANT, id, version: job.version }, NO_LIMIT)).toBe('finished');
    expect(await runJobChunk(deps, registry, { tenantId: TENANT, id, version: job.version }, NO_LIMIT)).toBe('skipped');
    expect(await customerItems()).toHaveLength(3);
  });

  it('transcodes a GBK file (auto-detected) and maps Chinese headers', async () => {
    const csv = iconv.encode('客户名称,手机,标签\n北京星辰科技有限公司,13800138000,重点；华北\n上海明月贸易有限公司,021-12345678,华东\n', 'gbk');
    const id = await queuedImport(csv, { kind: 'company' });
    await runToEnd(id);
    const job = (await loadJob(store, TENANT, id))!;
    expect(job.status).toBe('succeeded');
    expect(job.progress).toMatchObject({ processed: 2, succeeded: 2 });
    const items = await customerItems();
    expect(items.map((i) => i.name).sort()).toEqual(['上海明月贸易有限公司', '北京星辰科技有限公司']);
    const beijing = items.find((i) => i.name === '北京星辰科技有限公司')!;
    expect(beijing.kind).toBe('company');
    expect(beijing.tags).toEqual(['重点', '华北']);
    expect((beijing.phones as Array<{ e164: string }>)[0]!.e164).toBe('+8613800138000');
    expect((await blobs.get(importBlobKeys.utf8(TENANT, id)))!.toString('utf8')).toContain('北京星辰科技有限公司'); // rows were read from the UTF-8 copy
  });

  it('fails the job, not a row, when the mapping names a missing column', async () => {
    const id = await queuedImport(rows(2), { mapping: { Surname: 'name' } });
    await runToEnd(id);
    const job = (await loadJob(store, TENANT, id))!;
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('invalid_mapping');
    expect(await customerItems()).toHaveLength(0);
  });

  it('refuses to start before the upload, and runs with the creator\'s current permissions', async () => {
    const pending = await createImport(deps, ctx, { filename: 'x.csv', encoding: 'utf-8', duplicatePolicy: 'allow', kind: 'person' });
    await expect(startImport(deps, ctx, pending.id)).rejects.toMatchObject({ code: 'conflict' });

    const sales: Principal = { ...principal, subject: 'sam', roles: ['sales'] };
    const salesCtx = { principal: sales, requestId: 't', access: await loadAccessPolicy(store, sales) };
    const job = await createImport(deps, salesCtx, { filename: 'x.csv', encoding: 'utf-8', duplicatePolicy: 'allow', kind: 'person' });
    await blobs.put(importBlobKeys.upload(TENANT, job.id), rows(2), 'text/csv');
    await startImport(deps, salesCtx, job.id);
    await runToEnd(job.id);
    const done = (await loadJob(store, TENANT, job.id))!;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('forbidden');
    expect(await customerItems()).toHaveLength(0);
  });
});
