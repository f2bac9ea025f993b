import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntryFrom, auditKeys, toAuditItem, writeAudit, type AuditEntry, type RequestContext } from '@crm/core';
import { getContainer, ulidGenerator } from '@crm/runtime';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let auditor: string;
const ids = ulidGenerator();
const written: AuditEntry[] = [];

/** Audit records as the use cases write them (the server runs in this process, same container). */
async function record(tenantId: string, subject: string, resourceId: string, at: string): Promise<AuditEntry> {
  const ctx: RequestContext = { principal: { tenantId, kind: 'user', subject, roles: ['sales'], scopes: [] }, requestId: `req-${resourceId}` };
  const entry = auditEntryFrom(ctx, { action: 'customers:update', resource: 'customer', resourceId, changes: [{ field: 'name', before: 'a', after: 'b' }] }, { now: () => new Date(at) }, ids);
  await writeAudit(getContainer().store, entry);
  return entry;
}

/** The chain consumer runs asynchronously on the change feed; wait until it has linked `count` records. */
async function verifiedChain(token: string, count: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await server.call('GET', '/v1/audit/verify', { token });
    expect(res.status).toBe(200);
    if (res.body.checked >= count || !res.body.ok || Date.now() > deadline) return res.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  server = await startTestServer();
  auditor = await server.token('acme', { userId: 'audrey', roles: ['auditor'] });
  written.push(
    await record('acme', 'alice', 'C1', '2026-11-20T09:00:00.000Z'),
    await record('acme', 'bob', 'C2', '2026-11-21T09:00:00.000Z'),
    await record('acme', 'bob', 'C1', '2026-11-23T09:00:00.000Z'),
    await record('globex', 'gina', 'C1', '2026-11-23T10:00:00.000Z'),
  );
});
afterAll(() => server?.stop());

const list = async (query: string, token = auditor) => {
  const res = await server.call('GET', `/v1/audit${query}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { items: AuditEntry[]; next: string | null };
};
const idsOf = (items: AuditEntry[]) => items.map((e) => e.id);

describe('audit API over HTTP', () => {
  it('lists the tenant’s records newest first, filtered by record, actor and time', async () => {
    const [a1, b2, b1] = written;
    const range = 'from=2026-11-01T00:00:00Z&to=2026-11-25T00:00:00Z';
    expect(idsOf((await list(`?${range}`)).items)).toEqual(idsOf([b1!, b2!, a1!]));
    expect(idsOf((await list('?resource=customer&resourceId=C1')).items)).toEqual(idsOf([b1!, a1!]));
    expect(idsOf((await list('?actor=bob')).items)).toEqual(idsOf([b1!, b2!]));
    expect(idsOf((await list('?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z')).items)).toEqual(idsOf([b2!]));
    const page1 = await list(`?limit=2&${range}`);
    expect(page1.items).toHaveLength(2);
    const page2 = await list(`?limit=2&${range}&after=${encodeURIComponent(page1.next!)}`);
    expect(idsOf([...page1.items, ...page2.items])).toEqual(idsOf([b1!, b2!, a1!]));
    expect(page1.items[0]).toMatchObject({ tenantId: 'acme', actor: { subject: 'bob', kind: 'user' }, outcome: 'success', where: { requestId: 'req-C1' } });
  });

  it('never shows another tenant’s records', async () => {
    const globex = await server.token('globex', { userId: 'gary', roles: ['auditor'] });
    const theirs = await list('?from=2026-11-01T00:00:00Z&to=2026-11-25T00:00:00Z', globex);
    expect(theirs.items.map((e) => e.tenantId)).toEqual(['globex']);
    expect((await list('?resource=customer&resourceId=C1&from=2026-11-01T00:00:00Z', globex)).items).toHaveLength(1);
    const mine = await list('?limit=1&from=2026-11-01T00:00:00Z&to=2026-11-25T00:00:00Z');
    const replay = await server.call('GET', `/v1/audit?limit=1&from=2026-11-01T00:00:00Z&to=2026-11-25T00:00:00Z&after=${encodeURIComponent(mine.next!)}`, { token: globex });
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('invalid_cursor');
  });

  it('admits only auditors and admins', async () => {
    // Another tenant: these calls are audited themselves (token use, denials) and acme's chain is counted below.
    const admin = await server.token('initech', { userId: 'ada', roles: ['admin'] });
    expect((await server.call('GET', '/v1/audit', { token: admin })).status).toBe(200);
    for (const roles of [['sales'], ['manager'], ['analyst']]) {
      const token = await server.token('initech', { userId: 'mallory', roles });
      for (const path of ['/v1/audit', '/v1/audit/verify']) {
        const res = await server.call('GET', path, { token });
        expect(res.status, `${roles} ${path}`).toBe(403);
        expect(res.body.code).toBe('forbidden');
      }
    }
    const noAdminScope = await server.token('initech', { userId: 'audrey', roles: ['auditor'], scopes: ['crm/customers.read'] });
    expect((await server.call('GET', '/v1/audit', { token: noAdminScope })).status).toBe(401);
  });

  it('validates filters', async () => {
    const res = await server.call('GET', '/v1/audit?resourceId=C1', { token: auditor });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ path: 'query.resourceId' }));
  });

  it('chains records from the change feed, archives them, and detects tampering', async () => {
    expect(await verifiedChain(auditor, 3)).toMatchObject({ ok: true, checked: 3, nextSeq: null });
    const globex = await server.token('globex', { userId: 'gary', roles: ['auditor'] });
    expect(await verifiedChain(globex, 1)).toMatchObject({ ok: true, checked: 1 });
    for (const e of written) {
      const seq = written.filter((w) => w.tenantId === e.tenantId).indexOf(e) + 1;
      const file = join(server.dataDir, 'blobs', 'audit', `tenant=${e.tenantId}`, `date=${e.at.slice(0, 10)}`, `${String(seq).padStart(15, '0')}-${e.id}.json`);
      expect(existsSync(file), file).toBe(true);
    }

    // Someone with table access edits a record in place: the chain no longer matches.
    const store = getContainer().store;
    const target = written[1]!;
    const item = await store.get(auditKeys.record('acme', target.at, target.id));
    await store.put({ ...item!, ...toAuditItem({ ...target, outcome: 'failed' }) });
    const verdict = await server.call('GET', '/v1/audit/verify', { token: auditor });
    expect(verdict.body).toMatchObject({ ok: false, firstBrokenSeq: 2 });
  });
});
