import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { importCommand } from '../packages/local-runtime/src/import-command';
import { startServer } from './bench-kit';

/**
 * CSV import through the local server (a separate process, as `npm start` runs it): a generated
 * file of N rows (names, phones, emails, tags, a custom field; 1 % bad rows) is uploaded through the
 * presigned URL and imported by the run-jobs consumer. Prints rows/s and the server's peak resident
 * memory (VmHWM), which must stay flat as N grows (the import streams; nothing is kept per row).
 */
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '涛'];

interface Result { rows: number; bytes: number; seconds: number; rowsPerSecond: number; peakRssMb: number; idleRssMb: number; failed: number }

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { sizes: { type: 'string' } } });
  const sizes = (values.sizes ?? '100000,1000000').split(',').map(Number);
  const results: Result[] = [];
  for (const size of sizes) results.push(await benchSize(size));
  console.log('\nimport (local server, SQLite)');
  console.log('rows       | file MB | seconds | rows/s | failed | server RSS idle → peak (MB)');
  for (const r of results) {
    console.log(`${r.rows.toLocaleString().padEnd(10)} | ${(r.bytes / 1e6).toFixed(1).padStart(7)} | ${r.seconds.toFixed(1).padStart(7)} | ${String(Math.round(r.rowsPerSecond)).padStart(6)} | ${String(r.failed).padStart(6)} | ${r.idleRssMb} → ${r.peakRssMb}`);
  }
}

async function benchSize(rows: number): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), `crm-bench-import-${rows}-`));
  try {
    const file = join(dataDir, `customers-${rows}.csv`);
    await writeCsv(file, rows);
    const server = await startServer(dataDir);
    try {
      const idleRssMb = rssMb(server.pid, 'VmRSS');
      const t0 = performance.now();
      // A line every 30 s on stderr, so a long run shows that memory stays flat while it goes.
      const sampler = setInterval(() => console.error(`  ${Math.round((performance.now() - t0) / 1000)} s: server RSS ${rssMb(server.pid, 'VmRSS')} MB (peak ${rssMb(server.pid, 'VmHWM')} MB)`), 30_000);
      const job = await importCommand([file, '--tenant', 'bench', '--url', server.url, '--quiet', '--map', 'Segment=customFields.segment'], { ...process.env, CRM_DATA_DIR: dataDir }, (line) => console.error(line))
        .finally(() => clearInterval(sampler));
      const seconds = (performance.now() - t0) / 1000;
      return { rows, bytes: statSync(file).size, seconds, rowsPerSecond: rows / seconds, peakRssMb: rssMb(server.pid, 'VmHWM'), idleRssMb, failed: job.progress.failed };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('客户名称,手机,Email,标签,Segment\n');
  for (let i = 1; i <= rows; i++) {
    const name = i % 100 === 0 ? '' : `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}${i}`;
    const line = `${name},1${String(3800000000 + i).padStart(10, '0')},user${i}@example.com,${i % 3 === 0 ? '重点;华东' : 'new'},${['gold', 'silver', 'bronze'][i % 3]}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Resident memory of a process from /proc (VmRSS now, VmHWM peak), in MB. */
function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : -1;
}

