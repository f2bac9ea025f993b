import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { parseConfig } from '@crm/runtime';
import { LocalConfig } from './local-config';
import { issueLocalToken, LocalClientRegistry, loadOrCreateSigningKey } from './local-identity';

export const IMPORT_USAGE = `crm import <file.csv> [--encoding utf-8|gbk|auto] [--map "<header>=<field>" ...] [--kind person|company]
                   [--duplicates allow|warn|block] [--tenant <id>] [--user <id>] [--roles a,b] [--url http://127.0.0.1:3000]
                                 import customers into the running local server with a progress bar`;

const TOKEN_REFRESH_MS = 15 * 60 * 1000;

interface ImportSummary {
  id: string;
  status: string;
  progress: { processed: number; succeeded: number; failed: number; warned?: number };
  error?: { code: string; message: string };
  errorReport?: { url: string; method: string; headers: Record<string, string> };
}

/**
 * `crm import`: the client side of POST /v1/imports against the running local server — creates the
 * import, PUTs the file to the presigned URL (streamed), starts it, shows a progress bar polling
 * GET /v1/imports/{id}, then prints the counts and saves the error report next to the file.
 */
export async function importCommand(args: string[], env: Record<string, string | undefined>, print: (line: string) => void = console.log): Promise<ImportSummary> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, strict: true,
    options: {
      encoding: { type: 'string', default: 'auto' }, map: { type: 'string', multiple: true }, kind: { type: 'string' }, duplicates: { type: 'string' },
      tenant: { type: 'string', default: 'acme' }, user: { type: 'string', default: 'cli' }, roles: { type: 'string', default: 'admin' },
      url: { type: 'string' }, quiet: { type: 'boolean', default: false },
    },
  });
  const [file] = positionals;
  if (!file || positionals.length !== 1) throw new Error(`Usage: ${IMPORT_USAGE}`);
  const config = parseConfig(LocalConfig, env);
  const base = (values.url ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, '');
  const signingKey = await loadOrCreateSigningKey(config.CRM_DATA_DIR);
  const clients = LocalClientRegistry.open(config.CRM_DATA_DIR);
  // A large import outlives one token (1 h): mint a fresh one every 15 minutes.
  let token = { value: '', mintedAt: 0 };
  const bearer = async (): Promise<string> => {
    if (Date.now() - token.mintedAt > TOKEN_REFRESH_MS) {
      token = {
        mintedAt: Date.now(),
        value: await issueLocalToken(signingKey, clients, { tenantId: values.tenant!, userId: values.user!, roles: values.roles!.split(',').map((r) => r.trim()).filter(Boolean) }),
      };
    }
    return token.value;
  };
  const mapping: Record<string, string> = {};
  for (const pair of values.map ?? []) {
    const at = pair.lastIndexOf('=');
    if (at <= 0) throw new Error(`--map expects <header>=<field>, got "${pair}"`);
    mapping[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${base}${path}`, {
      method, headers: { authorization: `Bearer ${await bearer()}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json().catch(() => ({}))) as any;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.detail ?? json.title ?? ''}`);
    return json;
  };

  const path = resolve(file);
  const size = (await stat(path)).size;
  const created = await api('POST', '/v1/imports', {
    filename: basename(path), encoding: values.encoding, ...(Object.keys(mapping).length ? { mapping } : {}),
    ...(values.kind ? { kind: values.kind } : {}), ...(values.duplicates ? { duplicatePolicy: values.duplicates } : {}),
  });
  const upload = await fetch(created.upload.url, {
    method: 'PUT', headers: { ...created.upload.headers, 'content-length': String(size) },
    body: Readable.toWeb(createReadStream(path)), duplex: 'half',
  } as RequestInit);
  if (!upload.ok) throw new Error(`Upload failed: ${upload.status} ${await upload.text()}`);
  await api('POST', `/v1/imports/${created.id}/start`);

  const rows = Math.max(1, (await countLines(path)) - 1);
  const bar = new cliProgress.SingleBar(
    { format: 'importing [{bar}] {percentage}% | {value}/{total} rows | {failed} failed | {rate} rows/s', hideCursor: true, noTTYOutput: !values.quiet, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  if (!values.quiet) bar.start(rows, 0, { failed: 0, rate: 0 });
  const started = Date.now();
  let job: ImportSummary;
  for (;;) {
    job = await api('GET', `/v1/imports/${created.id}`);
    const rate = Math.round(job.progress.processed / Math.max(0.001, (Date.now() - started) / 1000));
    if (!values.quiet) bar.update(Math.min(job.progress.processed, rows), { failed: job.progress.failed, rate });
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) break;
    await sleep(500);
  }
  if (!values.quiet) bar.stop();
  print(`Import ${job.id} ${job.status}: ${job.progress.processed} rows, ${job.progress.succeeded} created, ${job.progress.failed} failed, ${job.progress.warned ?? 0} possible duplicates`);
  if (job.error) print(`  ${job.error.code}: ${job.error.message}`);
  if (job.errorReport) {
    const target = `${path.replace(/\.csv$/i, '')}.errors.csv`;
    const res = await fetch(job.errorReport.url, { method: job.errorReport.method, headers: job.errorReport.headers });
    if (!res.ok || !res.body) throw new Error(`Error report download failed: ${res.status}`);
    await pipeline(Readable.fromWeb(res.body as never), createWriteStream(target));
    print(`  error report: ${target}`);
  }
  return job;
}

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path)) for (const byte of chunk as Buffer) if (byte === 10) lines++;
  return lines;
}
