import { beforeEach, describe, expect, it } from 'vitest';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import {
  AppError, auditEntryFrom, auditIndexAttributes, auditKeys, auditPutOperation, diffChanges, listAudit, ListAuditQuery, toAuditEntry,
  writeAudit, type AuditDeps, type AuditEntry, type Clock, type RequestContext,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';

const T = 'acme';
const ID = '01J9ZQ4V7Y8K3M2N1P0R5S6T7V';
const AT = '2026-11-25T10:00:00.000Z';

const ctx = (o: { tenantId?: string; subject?: string; roles?: string[]; kind?: 'user' | 'client' } = {}): RequestContext => ({
  principal: { tenantId: o.tenantId ?? T, kind: o.kind ?? 'user', subject: o.subject ?? 'alice', roles: o.roles ?? ['auditor'], scopes: [], ...(o.kind === 'client' ? { clientId: o.subject } : {}) },
  requestId: 'req-1',
  sourceIp: '203.0.113.9',
  userAgent: 'vitest',
});

describe('audit keys (offline)', () => {
  it('puts the tenant first and sorts every partition by <at>#<id>', () => {
    expect(auditKeys.record(T, AT, ID)).toEqual({ pk: 'T#acme#AUDIT#2026-11-25', sk: `${AT}#${ID}` });
    expect(auditIndexAttributes(T, { at: AT, id: ID, resource: 'customer', resourceId: 'C1', actor: { subject: 'alice' } })).toEqual({
      gsi1pk: 'T#acme#AUDITRES#customer#C1', gsi1sk: `${AT}#${ID}`,
      gsi2pk: 'T#acme#AUDITACTOR#alice', gsi2sk: `${AT}#${ID}`,
      gsi3pk: 'T#acme#AUDITTYPE#customer', gsi3sk: `${AT}#${ID}`,
    });
    expect(auditIndexAttributes(T, { at: AT, id: ID, resource: 'audit', actor: { subject: 'bob' } })).not.toHaveProperty('gsi1pk');
    expect(auditKeys.chainHead(T)).toEqual({ pk: 'T#acme#AUDITCHAIN', sk: 'HEAD' });
    expect(auditKeys.chainLink(T, 42)).toEqual({ pk: 'T#acme#AUDITCHAIN', sk: 'LINK#000000000000042' });
    expect(auditKeys.linked(T, ID)).toEqual({ pk: `T#acme#AUDITLINKED#${ID}`, sk: 'LINKED' });
  });
});

describe('audit entries', () => {
  const clock: Clock = { now: () => new Date(AT) };
  const ids = { next: () => ID };

  it('takes who/when/where from the request context only', () => {
    const e = auditEntryFrom(ctx({ subject: 'crm-partner', kind: 'client', roles: ['partner'] }), { action: 'customers:create', resource: 'customer', resourceId: 'C1' }, clock, ids);
    expect(e).toEqual({
      id: ID, at: AT, tenantId: T,
      actor: { subject: 'crm-partner', kind: 'client', roles: ['partner'], clientId: 'crm-partner' },
      action: 'customers:create', resource: 'customer', resourceId: 'C1', outcome: 'success',
      where: { requestId: 'req-1', sourceIp: '203.0.113.9', userAgent: 'vitest' },
    });
  });

  it('diffs top-level fields and custom fields per key, ignoring bookkeeping fields', () => {
    const before = { name: 'Acme', tags: ['a'], version: 1, updatedAt: 'x', customFields: { tier: 'gold', region: 'east' } };
    const after = { name: 'Acme Ltd', tags: ['a'], version: 2, updatedAt: 'y', customFields: { tier: 'gold', vat: 'CN1' }, ownerId: 'bob' };
    expect(diffChanges(before, after)).toEqual([
      { field: 'customFields.region', before: 'east' },
      { field: 'customFields.vat', after: 'CN1' },
      { field: 'name', before: 'Acme', after: 'Acme Ltd' },
      { field: 'ownerId', after: 'bob' },
    ]);
    expect(diffChanges({ phones: [{ number: '1' }] }, { phones: [{ number: '1' }] })).toEqual([]);
    expect(diffChanges(undefined, { name: 'New' })).toEqual([{ field: 'name', after: 'New' }]);
  });

  it('records through the mutation transaction (atomic with the change) or a single put', async () => {
    const store = new SqliteTableStore({ db: openSqliteDatabase(':memory:') });
    const e = auditEntryFrom(ctx(), { action: 'customers:delete', resource: 'customer', resourceId: 'C1', before: { name: 'Acme' } }, clock, ids);
    await store.transact([{ type: 'put', item: { pk: 'T#acme#C#C1', sk: 'PROFILE' } }, auditPutOperation(e)]);
    const item = await store.get(auditKeys.record(T, AT, ID));
    expect(item).toMatchObject({ entity: 'audit', tenantId: T, gsi2pk: 'T#acme#AUDITACTOR#alice' });
    expect(toAuditEntry(item!)).toEqual(e);
    // Append-only: the same record cannot be written twice.
    await expect(writeAudit(store, e)).rejects.toThrow();
  });
});

describe('reading the audit log', () => {
  let deps: AuditDeps;
  let n = 0;
  const base = Date.parse('2026-11-20T08:00:00.000Z');
  const record = async (o: { dayOffset: number; subject?: string; resource?: string; resourceId?: string; tenantId?: string }): Promise<AuditEntry> => {
    const at = new Date(base + o.dayOffset * 86_400_000 + (n += 1) * 1000);
    const e = auditEntryFrom(ctx({ subject: o.subject ?? 'alice', tenantId: o.tenantId ?? T }), {
      action: 'customers:update', resource: o.resource ?? 'customer', ...(o.resourceId ? { resourceId: o.resourceId } : {}),
    }, { now: () => at }, deps.ids);
    await writeAudit(deps.store, e);
    return e;
  };
  const list = (c: RequestContext, q: Record<string, unknown>) => listAudit(deps, c, ListAuditQuery.parse(q));
  const ids = (es: AuditEntry[]) => es.map((e) => e.id);

  beforeEach(() => {
    deps = { store: new SqliteTableStore({ db: openSqliteDatabase(':memory:') }), clock: { now: () => new Date('2026-11-25T12:00:00.000Z') }, ids: ulidGenerator() };
  });

  it('filters by record, actor, resource type and time, newest first, never leaking another tenant', async () => {
    const r1 = await record({ dayOffset: 0, resourceId: 'C1' });
    const r2 = await record({ dayOffset: 1, resourceId: 'C2', subject: 'bob' });
    const r3 = await record({ dayOffset: 3, resourceId: 'C1', subject: 'bob' });
    const r4 = await record({ dayOffset: 3, resource: 'role', resourceId: 'sales' });
    await record({ dayOffset: 3, resourceId: 'C1', tenantId: 'globex' });

    expect(ids((await list(ctx(), {})).items)).toEqual(ids([r4, r3, r2, r1]));
    expect(ids((await list(ctx(), { resource: 'customer', resourceId: 'C1' })).items)).toEqual(ids([r3, r1]));
    expect(ids((await list(ctx(), { actor: 'bob' })).items)).toEqual(ids([r3, r2]));
    expect(ids((await list(ctx(), { actor: 'bob', resource: 'customer', resourceId: 'C1' })).items)).toEqual(ids([r3]));
    expect(ids((await list(ctx(), { resource: 'role' })).items)).toEqual(ids([r4]));
    expect(ids((await list(ctx(), { from: '2026-11-21T00:00:00Z', to: '2026-11-23T12:00:00Z' })).items)).toEqual(ids([r4, r3, r2]));
    expect(ids((await list(ctx(), { actor: 'bob', to: '2026-11-22T00:00:00Z' })).items)).toEqual(ids([r2]));
    expect((await list(ctx({ tenantId: 'globex' }), {})).items).toHaveLength(1);
  });

  it('pages with cursors across day partitions and empty days', async () => {
    const written: AuditEntry[] = [];
    for (const day of [0, 0, 2, 5, 5]) written.push(await record({ dayOffset: day }));
    const seen: AuditEntry[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await list(ctx(), { limit: 2, ...(after ? { after } : {}) });
      seen.push(...page.items);
      after = page.next ?? undefined;
      pages++;
    } while (after && pages < 10);
    expect(ids(seen)).toEqual(ids(written.reverse()));
  });

  it('refuses a cursor from another query or tenant', async () => {
    for (const day of [0, 1, 2]) await record({ dayOffset: day });
    const { next } = await list(ctx(), { limit: 1 });
    expect(next).toBeTruthy();
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));
    expect(await code(list(ctx(), { limit: 1, actor: 'bob', after: next }))).toBe('invalid_cursor');
    expect(await code(list(ctx({ tenantId: 'globex' }), { limit: 1, after: next }))).toBe('invalid_cursor');
  });

});
