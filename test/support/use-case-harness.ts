import { afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbTableStore } from '@crm/adapters/dynamodb';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { createLocalFieldEncryptor } from '@crm/adapters/local-encryption';
import { AppError, type Clock, type SecuredContext, type TableStore } from '@crm/core';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';

/**
 * Use cases against both real stores (in-memory SQLite, DynamoDB Local), a fixed clock and a local
 * encryptor: no mocks of the thing under test. `stores[name]()` gives a fresh table.
 */
export const fixedClock: Clock = { now: () => new Date('2026-11-25T10:00:00.000Z') };
export const testEncryptor = createLocalFieldEncryptor(mkdtempSync(join(tmpdir(), 'crm-keys-')));

let dynamo: DynamoDbLocal | undefined;
let tables = 0;
export const stores: Record<'sqlite' | 'dynamodb', () => Promise<TableStore>> = {
  sqlite: async () => new SqliteTableStore({ db: openSqliteDatabase(':memory:'), clock: fixedClock }),
  dynamodb: async () => {
    dynamo ??= await startDynamoDbLocal();
    return new DynamoDbTableStore({ client: dynamo.documentClient, tableName: await dynamo.createTable(`uc${(tables += 1)}`), clock: fixedClock });
  },
};
afterAll(() => dynamo?.stop());

/** A tenant-wide admin context (access rules have their own tests). */
export function adminContext(tenantId = 'acme', subject = 'alice'): SecuredContext {
  const principal = { tenantId, kind: 'user' as const, subject, roles: ['admin'], scopes: [] };
  return { principal, requestId: 'req-1', access: { principal, permissions: ['*:*'], dataScope: 'tenant', fields: {}, shares: new Set() } };
}

/** The AppError code a promise rejects with ('ok' when it resolves). */
export const errorCode = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));
