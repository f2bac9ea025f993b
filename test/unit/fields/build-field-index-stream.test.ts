import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeFeedDispatcher, SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { createLocalBlobStore } from '@crm/adapters/local-blob';
import { createLocalFieldEncryptor } from '@crm/adapters/local-encryption';
import {
  FieldDefinitionInput, fieldRegistryKeys, loadFieldDefinitions, putFieldDefinition, toProfileItem, type Clock, type Customer, type RequestContext,
} from '@crm/core';
import { setContainer, ulidGenerator, type Container } from '@crm/runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { handler as buildFieldIndex } from '../../../functions/fields/build-field-index.handler';

// The real stream handler on the real SQLite change feed: a build larger than one invocation chains
// itself through its own checkpoint writes.
const clock: Clock = { now: () => new Date('2026-11-25T09:00:00.000Z') };
let db: Database.Database;
let store: SqliteTableStore;
let dispatcher: ChangeFeedDispatcher;
const ids = ulidGenerator();
const ctx: RequestContext = { principal: { tenantId: 'bulk', kind: 'user', subject: 'root', roles: ['admin'], scopes: [] }, requestId: 'r' };

beforeEach(() => {
  db = openSqliteDatabase(':memory:');
  store = new SqliteTableStore({ db, clock });
  setContainer({
    store, storeFor: async () => store, encryptor: createLocalFieldEncryptor(mkdtempSync(join(tmpdir(), 'crm-keys-'))),
    blobs: createLocalBlobStore(mkdtempSync(join(tmpdir(), 'crm-blobs-'))), clock, ids, logger: new Logger({ logLevel: 'SILENT' }), assets: { read: () => undefined },
    companyRegistry: { lookup: () => Promise.reject(new Error('not used by this consumer')) },
  } satisfies Container);
  dispatcher = new ChangeFeedDispatcher({ db, clock, consumers: [{ name: 'build-field-index', handler: buildFieldIndex, batchSize: 10 }] });
});
afterEach(async () => {
  await dispatcher.stop();
  db.close();
});

/** Existing records, written as stored profiles (the build reads them from gsi1 like any others). */
async function seed(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const c: Customer = {
      id: ids.next(), kind: 'company', name: `Company ${String(i).padStart(4, '0')}`, phones: [], emails: [], tags: [], ownerId: 'root', orgPath: '/',
      customFields: { tier: i % 3 }, version: 1, createdAt: clock.now().toISOString(), updatedAt: clock.now().toISOString(), createdBy: 'root', updatedBy: 'root',
    };
    await store.put(toProfileItem('bulk', c));
  }
}

describe('build-field-index stream consumer', () => {
  it('backfills a tenant larger than one invocation by chaining checkpoints through the change feed', async () => {
    await seed(1203);
    await putFieldDefinition({ store, clock, ids }, ctx, 'customer', 'tier', FieldDefinitionInput.parse({ label: 'Tier', type: 'number', filterable: true }), undefined);
    const states: string[] = [];
    for (let round = 0; round < 5 && states.at(-1) !== 'ready'; round++) {
      await dispatcher.drain({ maxAttempts: 1 }); // each drain delivers what exists now, incl. the last checkpoint
      const [tier] = await loadFieldDefinitions(store, 'bulk', 'customer');
      states.push(tier!.indexState);
    }
    expect(states).toEqual(['building', 'ready']); // 1203 records: two invocations of ≤ 1000
    expect(await store.get(fieldRegistryKeys.definition('bulk', 'customer', 'tier'))).not.toHaveProperty('indexCursor');
    const count = async (partition: string) => {
      let n = 0;
      let startAfter: Record<string, string> | undefined;
      do {
        const page = await store.query({ partition, limit: 1000, ...(startAfter ? { startAfter } : {}) });
        n += page.items.length;
        startAfter = page.lastKey;
      } while (startAfter);
      return n;
    };
    expect(await count('T#bulk#CFR#customer#tier')).toBe(1203);
    expect(await count('T#bulk#CFV#customer#tier#0')).toBe(401);
    expect(await count('T#bulk#CFV#customer#tier#2')).toBe(401);
  });

  it('ignores other entities, removals and definitions that are not building', async () => {
    await seed(3);
    await putFieldDefinition({ store, clock, ids }, ctx, 'customer', 'tier', FieldDefinitionInput.parse({ label: 'Tier', type: 'number' }), undefined);
    await dispatcher.drain({ maxAttempts: 1 });
    expect((await store.query({ partition: 'T#bulk#CFR#customer#tier', limit: 10 })).items).toEqual([]);
    const event = { Records: [{ eventName: 'REMOVE' as const, dynamodb: { SequenceNumber: '1', OldImage: {} } }] };
    expect(await buildFieldIndex(event as never)).toEqual({ batchItemFailures: [] });
  });
});
