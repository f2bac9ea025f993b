import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { ChangeFeedDispatcher, SqliteTableStore, guardTenant, openSqliteDatabase } from '@crm/adapters/sqlite';
import { createLocalBlobStore } from '@crm/adapters/local-blob';
import { createFixtureCompanyRegistry } from '@crm/adapters/company-registry';
import { createLocalFieldEncryptor } from '@crm/adapters/local-encryption';
import { buildOpenApiDocument } from '@crm/api-spec';
import { systemClock } from '@crm/core';
import type { ManifestEntry } from '@crm/manifest';
import { ulidGenerator, type Container } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type Database from 'better-sqlite3';
import type { LocalConfig } from './local-config';
import { startChangeFeedWorker, type ChangeFeed } from './change-feed-host';
import { createLocalTransfers, type RawRoute } from './local-blob-route';

export interface LocalRuntime {
  container: Container;
  /** The stream consumers: on this thread's dispatcher or in the change-feed worker (CRM_CHANGE_FEED). */
  changeFeed: ChangeFeed;
  /** Routes the local server serves outside the API (presigned blob transfers). */
  rawRoutes: RawRoute[];
  close(): Promise<void>;
}

/** SQLite's default wal_autocheckpoint. */
const DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 1000;

type StreamHandler = (event: DynamoDBStreamEvent) => Promise<void | DynamoDBBatchResponse>;


/**
 * Composition root of the local runtime: SQLite table store in the data folder, its changelog
 * delivered to the manifest's stream consumers, static assets from the repo, the OpenAPI document
 * generated in-process. Handlers receive exactly the same Container shape as in Lambda.
 *
 * With CRM_CHANGE_FEED=worker the consumers (and the TTL sweeper) run in a worker thread that
 * builds this same runtime in-process on its own connection (./change-feed-worker.ts); the server
 * thread then only serves requests and notifies the worker of its commits.
 */
export async function createLocalRuntime(config: LocalConfig, manifest: readonly ManifestEntry[], repoRoot: string): Promise<LocalRuntime> {
  const inProcess = config.CRM_CHANGE_FEED === 'in-process';
  // With the worker, the request thread leaves WAL checkpoints (copying committed pages into the
  // database file, a good share of a commit's cost) to the worker, and takes them back if it exits.
  const db = openSqliteDatabase(join(config.CRM_DATA_DIR, 'crm.sqlite'), { walAutoCheckpoint: inProcess });
  let changeFeed: ChangeFeed | undefined;
  const store = new SqliteTableStore({ db, clock: systemClock, onCommit: () => changeFeed?.notify() });
  try {
    changeFeed = inProcess
      ? await localChangeFeed(db, manifest, repoRoot)
      : await startChangeFeedWorker(config, repoRoot, {
        // The worker checkpoints the WAL while it runs; while it is down (crashed, restarting) the server thread does.
        onExit: () => db.open && db.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT_PAGES}`),
        onStart: () => db.open && db.pragma('wal_autocheckpoint = 0'),
      });
  } catch (error) {
    db.close();
    throw error;
  }

  const openapi = Buffer.from(JSON.stringify(buildOpenApiDocument()), 'utf8');
  const assetFiles = new Map<string, string>();
  for (const entry of manifest) for (const asset of entry.assets ?? []) assetFiles.set(asset.to, resolve(repoRoot, asset.from));

  // Presigned transfers (imports, exports, recordings): the blob folder, URLs signed with a key
  // generated on first start and served by the local server's blob route.
  const transfers = createLocalTransfers(config.CRM_DATA_DIR);
  const container: Container = {
    store,
    storeFor: async (tenantId) => guardTenant(store, tenantId),
    blobs: createLocalBlobStore(join(config.CRM_DATA_DIR, 'blobs')),
    transfers: transfers.blobs,
    recordings: transfers.blobs,
    encryptor: createLocalFieldEncryptor(config.CRM_DATA_DIR),
    companyRegistry: createFixtureCompanyRegistry(),
    clock: systemClock,
    ids: ulidGenerator(),
    logger: new Logger({ serviceName: 'crm-local', logLevel: config.POWERTOOLS_LOG_LEVEL }),
    assets: {
      read(name) {
        if (name === 'openapi.json') return openapi;
        const file = assetFiles.get(name);
        return file ? readFileSync(file) : undefined;
      },
    },
  };

  // The local stand-in for DynamoDB's TTL process: expired items are deleted with REMOVE records
  // marked as the service's (so TTL-driven consumers such as return-expired-claims run locally too).
  // It runs where the consumers run.
  const sweeper = inProcess
    ? setInterval(() => {
      store.deleteExpired({ limit: 1000 }).catch((error: unknown) => container.logger.error('TTL sweep failed', { error: error as Error }));
    }, config.CRM_TTL_SWEEP_SECONDS * 1000)
    : undefined;
  sweeper?.unref();
  // Where the consumers run, the WAL is also checkpointed every second (PASSIVE: never waits for
  // or blocks the request thread), whoever made the commits.
  const checkpointer = inProcess ? setInterval(() => db.open && db.pragma('wal_checkpoint(PASSIVE)'), 1000) : undefined;
  checkpointer?.unref();

  const feed = changeFeed;
  return {
    container,
    changeFeed: feed,
    rawRoutes: [transfers.route],
    async close() {
      clearInterval(sweeper);
      clearInterval(checkpointer);
      await feed.stop();
      db.close();
    },
  };
}

/**
 * The manifest's stream consumers on a dispatcher over this thread's connection, and its schedules
 * on timers (every `rateMinutes`, like the EventBridge rules in AWS; `runSchedules` runs them now).
 */
async function localChangeFeed(db: Database.Database, manifest: readonly ManifestEntry[], repoRoot: string): Promise<ChangeFeed> {
  const load = async <H>(entry: ManifestEntry) => ((await import(pathToFileURL(resolve(repoRoot, entry.entry)).href)) as { handler: H }).handler;
  const consumers = [];
  const schedules: Array<{ name: string; rateMinutes: number; handler: () => Promise<unknown> }> = [];
  for (const entry of manifest) {
    if (entry.kind === 'stream') {
      consumers.push({ name: entry.name, handler: await load<StreamHandler>(entry), batchSize: entry.batchSize, ...(entry.entities ? { entities: entry.entities } : {}) });
    } else if (entry.kind === 'schedule') {
      schedules.push({ name: entry.name, rateMinutes: entry.rateMinutes, handler: await load<() => Promise<unknown>>(entry) });
    }
  }
  const dispatcher = new ChangeFeedDispatcher({ db, consumers });
  // One run at a time per schedule (a slow run is not overlapped by the next tick).
  const running = new Map<string, Promise<unknown>>();
  const run = (schedule: (typeof schedules)[number]) => {
    const previous = running.get(schedule.name) ?? Promise.resolve();
    const next = previous.then(() => schedule.handler()).catch((error: unknown) => console.error(`schedule ${schedule.name} failed`, error));
    running.set(schedule.name, next);
    return next;
  };
  const timers: NodeJS.Timeout[] = [];
  return {
    start() {
      dispatcher.start();
      for (const schedule of schedules) {
        const timer = setInterval(() => void run(schedule), schedule.rateMinutes * 60_000);
        timer.unref();
        timers.push(timer);
      }
    },
    notify: () => dispatcher.notify(),
    drain: () => dispatcher.drain(),
    async runSchedules() {
      for (const schedule of schedules) await run(schedule);
    },
    async stop() {
      timers.splice(0).forEach(clearInterval);
      await Promise.all(running.values());
      await dispatcher.stop();
    },
  };
}
