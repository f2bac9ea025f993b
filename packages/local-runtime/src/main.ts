import { parseArgs } from 'node:util';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifest } from '@crm/manifest';
import { parseConfig, setContainer } from '@crm/runtime';
import { LocalConfig } from './local-config';
import { createLocalRuntime } from './local-container';
import { ALL_SCOPES, issueLocalToken, LocalClientRegistry, loadOrCreateSigningKey } from './local-identity';
import { startLocalServer } from './local-server';
import { importCommand, IMPORT_USAGE } from './import-command';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const USAGE = `Usage:
  crm start                      start the CRM locally (PORT, HOST, CRM_DATA_DIR override defaults)
  crm token --tenant <id> (--user <id> [--roles a,b] [--org /hq/east] | --client <id>) [--scopes s1,s2] [--ttl seconds]
                                 print an access token the local server accepts; --client registers an
                                 unknown partner client to the tenant (with --scopes as its allowed scopes)
  crm client add <id> --tenant <id> [--scopes s1,s2]
                                 register a partner client (or change its allowed scopes)
  crm client list                list the app clients whose tokens the local server accepts
  ${IMPORT_USAGE}`;

/** Starts the local CRM: config → keys → store + change feed → server. Returns a stop function. */
export async function start(env: Record<string, string | undefined> = process.env, print = console.log): Promise<{ url: string; drain: () => Promise<void>; runSchedules: () => Promise<void>; stop: () => Promise<void> }> {
  const config = parseConfig(LocalConfig, env);
  const signingKey = await loadOrCreateSigningKey(config.CRM_DATA_DIR);
  const clients = LocalClientRegistry.open(config.CRM_DATA_DIR);
  const runtime = await createLocalRuntime(config, manifest, REPO_ROOT);
  setContainer(runtime.container); // before any handler module is imported
  runtime.changeFeed.start();
  const server = await startLocalServer({
    manifest, signingKey, clients, host: config.HOST, port: config.PORT, repoRoot: REPO_ROOT, rawRoutes: runtime.rawRoutes,
    rateLimits: {
      user: config.CRM_RATE_LIMIT_USER,
      partnerClient: config.CRM_RATE_LIMIT_CLIENT,
      publicIp: config.CRM_RATE_LIMIT_PUBLIC,
      tenant: config.CRM_RATE_LIMIT_TENANT,
    },
  });
  print(`CRM running (local: SQLite in ${config.CRM_DATA_DIR})
  API      ${server.url}/v1/customers
  Docs     ${server.url}/docs   (OpenAPI: ${server.url}/openapi.json)
  Token    TOKEN=$(npx crm token --tenant acme --user alice --roles admin)
  Try      curl -H "Authorization: Bearer $TOKEN" ${server.url}/v1/customers`);
  return {
    url: server.url,
    /** Delivers every pending change-feed record now (tests; the dispatcher also runs on its own). */
    drain: () => runtime.changeFeed.drain(),
    /** Runs the scheduled functions (timers) once now (tests; they also run on their own). */
    runSchedules: () => runtime.changeFeed.runSchedules(),
    stop: async () => {
      await server.close();
      await runtime.close();
    },
  };
}

async function token(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      tenant: { type: 'string' }, user: { type: 'string' }, client: { type: 'string' }, roles: { type: 'string' },
      org: { type: 'string' }, scopes: { type: 'string' }, ttl: { type: 'string' },
    },
    strict: true,
  });
  if (!values.tenant) throw new Error('--tenant is required');
  const config = parseConfig(LocalConfig, env);
  const key = await loadOrCreateSigningKey(config.CRM_DATA_DIR);
  const clients = LocalClientRegistry.open(config.CRM_DATA_DIR);
  const scopes = list(values.scopes);
  const unknownScopes = scopes?.filter((s) => !ALL_SCOPES.includes(s)) ?? [];
  if (unknownScopes.length) throw new Error(`Unknown scope(s): ${unknownScopes.join(', ')}; known: ${ALL_SCOPES.join(', ')}`);
  const roles = list(values.roles);
  const ttl = values.ttl ? Number(values.ttl) : undefined;
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0 && ttl <= 86_400)) throw new Error('--ttl must be 1..86400 seconds');
  process.stdout.write(
    `${await issueLocalToken(key, clients, {
      tenantId: values.tenant,
      ...(values.user ? { userId: values.user } : {}),
      ...(values.client ? { clientId: values.client } : {}),
      ...(roles ? { roles } : {}),
      ...(values.org ? { orgPath: values.org } : {}),
      ...(scopes ? { scopes } : {}),
      ...(ttl ? { ttlSeconds: ttl } : {}),
    })}\n`,
  );
}

const list = (v?: string) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

/** `crm client add|list`: the local stand-in for creating partner app clients and their tenant mapping. */
export function client(args: string[], env: Record<string, string | undefined>, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): void {
  const { values, positionals } = parseArgs({ args, options: { tenant: { type: 'string' }, scopes: { type: 'string' } }, allowPositionals: true, strict: true });
  const config = parseConfig(LocalConfig, env);
  const clients = LocalClientRegistry.open(config.CRM_DATA_DIR);
  const [action, clientId] = positionals;
  if (action === 'list' && positionals.length === 1) {
    for (const c of clients.list()) write(`${c.clientId}\t${c.kind}\t${c.tenantId ?? '-'}\t${c.scopes.join(' ')}`);
  } else if (action === 'add' && clientId && positionals.length === 2) {
    if (!values.tenant) throw new Error('--tenant is required');
    const scopes = list(values.scopes);
    const added = clients.addPartner({ clientId, tenantId: values.tenant, ...(scopes ? { scopes } : {}) });
    write(`${added.clientId} → tenant ${added.tenantId}; scopes: ${added.scopes.join(' ')}`);
  } else {
    throw new Error('Usage: crm client add <id> --tenant <id> [--scopes s1,s2] | crm client list');
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'start') {
    const running = await start();
    const shutdown = () => void running.stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } else if (command === 'token') {
    await token(rest, process.env);
  } else if (command === 'client') {
    client(rest, process.env);
  } else if (command === 'import') {
    const job = await importCommand(rest, process.env);
    if (job.status !== 'succeeded') process.exitCode = 1;
  } else {
    console.log(USAGE);
    process.exitCode = command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
