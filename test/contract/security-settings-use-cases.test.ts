import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { ulidGenerator } from '@crm/runtime';
import {
  AppError,
  getSecuritySettings,
  loadSecuritySettings,
  putSecuritySettings,
  securitySettingsKey,
  type TransactOperation,
  type Principal,
  type RequestContext,
  type TableStore,
} from '@crm/core';

const folder = mkdtempSync(join(tmpdir(), 'crm-security-settings-'));
const db = openSqliteDatabase(join(folder, 'crm.sqlite'));
afterAll(() => {
  db.close();
  rmSync(folder, { recursive: true, force: true });
});
const store = new SqliteTableStore({ db });
const clock = { now: () => new Date('2026-11-25T10:00:00.000Z') };

const ctx = (principal: Partial<Principal> & { tenantId: string }): RequestContext => ({
  principal: { kind: 'user', subject: 'alice', roles: ['admin'], scopes: ['crm/admin'], ...principal },
  requestId: 'req-1',
});

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
};

describe('security settings use cases', () => {
  it('lets only tenant admin users read or change them', async () => {
    const deps = { store, clock, ids: ulidGenerator() };
    const sales = ctx({ tenantId: 'tenant-a', roles: ['sales'] });
    const partner = ctx({ tenantId: 'tenant-a', kind: 'client', roles: ['admin'] });
    for (const who of [sales, partner]) {
      expect(await codeOf(getSecuritySettings(deps, who))).toBe('forbidden');
      expect(await codeOf(putSecuritySettings(deps, who, { sensitiveFields: [] }, '*'))).toBe('forbidden');
    }
    expect(await store.get(securitySettingsKey('tenant-a'))).toBeUndefined();
  });

  it('stores one item under T#<tenant>#SETTINGS / SECURITY and remembers every field ever sealed', async () => {
    const deps = { store, clock, ids: ulidGenerator() };
    const admin = ctx({ tenantId: 'tenant-b' });
    await putSecuritySettings(deps, admin, { sensitiveFields: ['address', 'customFields.nationalId'] }, '"0"');
    const saved = await putSecuritySettings(deps, admin, { sensitiveFields: ['customFields.medicalNotes'] }, '"1"');
    expect(saved).toEqual({ sensitiveFields: ['customFields.medicalNotes'], version: 2, updatedAt: '2026-11-25T10:00:00.000Z', updatedBy: 'alice' });

    const item = await store.get({ pk: 'T#tenant-b#SETTINGS', sk: 'SECURITY' });
    expect(item).toMatchObject({ entity: 'security-settings', tenantId: 'tenant-b', version: 2 });
    await expect(loadSecuritySettings(store, 'tenant-b')).resolves.toEqual({
      ...saved,
      decryptFields: ['address', 'customFields.medicalNotes', 'customFields.nationalId'],
    });
    await expect(loadSecuritySettings(store, 'tenant-c')).resolves.toMatchObject({ sensitiveFields: [], decryptFields: [], version: 0 });
  });

  it('turns a concurrent change between read and write into 412 with the current ETag', async () => {
    // A store that lets another writer slip in right after the use case read the settings.
    let interleaved = false;
    const racing: TableStore = Object.assign(Object.create(store) as TableStore, {
      async transact(operations: TransactOperation[]) {
        if (!interleaved) {
          interleaved = true;
          await putSecuritySettings({ store, clock, ids: ulidGenerator() }, ctx({ tenantId: 'tenant-d', subject: 'bob' }), { sensitiveFields: ['phones'] }, '*');
        }
        return store.transact(operations);
      },
    });
    const error = await putSecuritySettings({ store: racing, clock, ids: ulidGenerator() }, ctx({ tenantId: 'tenant-d' }), { sensitiveFields: ['address'] }, '"0"').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('precondition_failed');
    expect((error as AppError).extra.currentEtag).toBe('"1"');
    await expect(loadSecuritySettings(store, 'tenant-d')).resolves.toMatchObject({ sensitiveFields: ['phones'], updatedBy: 'bob' });
  });
});
