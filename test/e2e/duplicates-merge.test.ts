import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const as = (tenant: string, userId?: string, roles?: string[], orgPath?: string) => server.as(tenant, userId, roles, orgPath);

describe('duplicate detection on create and update', () => {
  it('finds the same phone typed differently, the traditional spelling and the pinyin twin, and explains the match', async () => {
    const call = await as('dup-warn');
    const first = await call('POST', '/v1/customers', { kind: 'person', name: '张伟', phones: [{ number: '138 0013 8000' }], emails: [{ address: 'Zhang.Wei@Example.CN' }] });
    expect(first.status).toBe(201);
    expect(first.body.duplicates).toBeUndefined();

    // Same mobile in another format: reported under the default policy (warn), and still created.
    const samePhone = await call('POST', '/v1/customers', { kind: 'person', name: 'Wei Zhang', phones: [{ number: '+86 13800138000' }] });
    expect(samePhone.status).toBe(201);
    expect(samePhone.body.duplicates).toEqual([{ id: first.body.id, name: '张伟', score: 0.9, matchedOn: ['phone'], rule: 'same-mobile' }]);

    // Traditional characters fold to the same name; a person's name alone stays below the threshold…
    const sameName = await call('POST', '/v1/customers', { kind: 'person', name: '張偉' });
    expect(sameName.body.duplicates).toBeUndefined();
    // …but a company's name is strong evidence, with the legal form and brackets ignored.
    const company = await call('POST', '/v1/customers', { kind: 'company', name: '广州天河体育用品有限公司' });
    const twin = await call('POST', '/v1/customers', { kind: 'company', name: '廣州天河體育用品（廣州）有限責任公司' });
    expect(twin.body.duplicates).toEqual([expect.objectContaining({ id: company.body.id, matchedOn: ['name'], rule: 'same-company-name' })]);
    const sounds = await call('POST', '/v1/customers', { kind: 'company', name: '广洲天河体育用品公司' });
    expect(sounds.body.duplicates.map((d: { id: string; rule: string }) => [d.id, d.rule])).toContainEqual([company.body.id, 'similar-company-name']);

    // A person's name plus the same company crosses the threshold.
    const a = await call('POST', '/v1/customers', { kind: 'person', name: 'Li Na', companyId: company.body.id });
    const b = await call('POST', '/v1/customers', { kind: 'person', name: 'li  na', companyId: company.body.id });
    expect(b.body.duplicates).toEqual([expect.objectContaining({ id: a.body.id, rule: 'same-name-same-company', matchedOn: ['name', 'companyId'] })]);

    // The stored candidates list of an existing record, and an update adding a known email.
    const listed = await call('GET', `/v1/customers/${first.body.id}/duplicates`);
    expect(listed.body).toEqual({ items: [expect.objectContaining({ id: samePhone.body.id, rule: 'same-mobile' })], hiddenMatches: 0 });
    const patched = await call('PATCH', `/v1/customers/${sameName.body.id}`, { emails: [{ address: 'zhang.wei@example.cn' }] }, { 'if-match': '"1"' });
    expect(patched.status).toBe(200);
    expect(patched.body.duplicates).toEqual([expect.objectContaining({ id: first.body.id, matchedOn: ['email', 'name'], rule: 'same-email' })]);
    // Editing something else does not re-report.
    expect((await call('PATCH', `/v1/customers/${sameName.body.id}`, { tags: ['x'] }, { 'if-match': '"2"' })).body.duplicates).toBeUndefined();

    // Deleted records are no candidates.
    expect((await call('DELETE', `/v1/customers/${samePhone.body.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/customers/${first.body.id}/duplicates`)).body.items.map((d: { id: string }) => d.id)).toEqual([sameName.body.id]);
  });

  it('applies the tenant policy: block answers 409 with the candidates; an audited override needs customers:merge', async () => {
    const admin = await as('dup-block');
    const settings = await admin('GET', '/v1/settings/customers');
    expect(settings.body).toMatchObject({ duplicatePolicy: 'warn', defaultPhoneRegion: 'CN', version: 0 });
    expect((await admin('PUT', '/v1/settings/customers', { duplicatePolicy: 'block', defaultPhoneRegion: 'XX' }, { 'if-match': '"0"' })).status).toBe(400);
    expect((await admin('PUT', '/v1/settings/customers', { duplicatePolicy: 'block', defaultPhoneRegion: 'HK' })).status).toBe(428);
    expect((await admin('PUT', '/v1/settings/customers', { duplicatePolicy: 'block', defaultPhoneRegion: 'HK' }, { 'if-match': '"0"' })).status).toBe(200);

    // The tenant's region applies to numbers without a country code.
    const hk = await admin('POST', '/v1/customers', { kind: 'person', name: 'Chan', phones: [{ number: '9123 4567' }] });
    expect(hk.body.phones[0].e164).toBe('+85291234567');

    const blocked = await admin('POST', '/v1/customers', { kind: 'person', name: 'Someone', phones: [{ number: '+852 9123 4567' }] });
    expect(blocked.status).toBe(409);
    expect(blocked.headers.get('content-type')).toContain('application/problem+json');
    expect(blocked.body).toMatchObject({ code: 'duplicate_customer', duplicates: [expect.objectContaining({ id: hk.body.id, rule: 'same-mobile' })], hiddenMatches: 0 });
    const all = await admin('GET', '/v1/customers');
    expect(all.body.items).toHaveLength(1); // nothing half-written

    const rep = await as('dup-block', 'rep', ['sales']);
    expect((await rep('POST', '/v1/customers', { kind: 'person', name: 'Someone', phones: [{ number: '+852 9123 4567' }] }, { 'x-duplicate-override': 'true' })).status).toBe(403);
    const overridden = await admin('POST', '/v1/customers', { kind: 'person', name: 'Someone', phones: [{ number: '+852 9123 4567' }] }, { 'x-duplicate-override': 'true' });
    expect(overridden.status).toBe(201);
    const audit = await admin('GET', `/v1/audit?resource=customer&resourceId=${overridden.body.id}`);
    expect(audit.body.items[0].detail).toEqual({ duplicateOverride: true, duplicateIds: [hk.body.id] });

    // Another tenant with the same phone is not a duplicate: keys are per tenant.
    const other = await as('dup-other');
    expect((await other('POST', '/v1/customers', { kind: 'person', name: 'Chan', phones: [{ number: '+852 9123 4567' }] })).body.duplicates).toBeUndefined();
  });
});

describe('merge and undo', () => {
  it('merges with per-field choices, redirects the merged id, moves contacts, and undoes everything', async () => {
    const call = await as('merge-co');
    const survivor = (await call('POST', '/v1/customers', { kind: 'company', name: 'Acme Ltd', phones: [{ number: '010-12345678' }], tags: ['vip'], customFields: { tier: 'gold' } })).body;
    const dupe = (await call('POST', '/v1/customers', { kind: 'company', name: 'ACME Co., Ltd.', emails: [{ address: 'info@acme.cn' }], tags: ['north'], address: { line1: '广州市天河区体育西路1号' }, customFields: { tier: 'silver', size: 'large' } })).body;
    const contact = (await call('POST', '/v1/customers', { kind: 'person', name: 'Wang Fang', companyId: dupe.id })).body;
    const sms = (customerId: string, text: string, at: string) => call('POST', '/v1/interactions', { customerId, channel: 'sms', type: 'message', occurredAt: at, payload: { text, direction: 'inbound' } });
    expect((await sms(dupe.id, 'from the duplicate', '2026-11-20T10:00:00.000Z')).status).toBe(201);
    expect((await sms(survivor.id, 'from the survivor', '2026-11-21T10:00:00.000Z')).status).toBe(201);
    const texts = async (id: string) => (await call('GET', `/v1/customers/${id}/timeline`)).body.items.map((i: { payload: { text: string } }) => i.payload.text);

    expect((await call('POST', '/v1/customers/merge', { survivorId: survivor.id, mergeIds: [survivor.id] })).status).toBe(400);
    expect((await call('POST', '/v1/customers/merge', { survivorId: survivor.id, mergeIds: [contact.id] })).status).toBe(400); // kinds differ

    const merged = await call('POST', '/v1/customers/merge', { survivorId: survivor.id, mergeIds: [dupe.id], fields: { name: dupe.id } });
    expect(merged.status).toBe(200);
    const { mergeId } = merged.body;
    expect(merged.body.survivor).toMatchObject({
      id: survivor.id, name: 'ACME Co., Ltd.', tags: ['vip', 'north'], version: 2,
      emails: [{ address: 'info@acme.cn' }], customFields: { tier: 'gold', size: 'large' },
    });
    expect(merged.body.survivor.address.line1).toBe('广州市天河区体育西路1号');
    expect(merged.body.survivor.phones).toHaveLength(1);

    // The merged id answers with the survivor; writes to it are refused; lists only show the survivor.
    const redirected = await call('GET', `/v1/customers/${dupe.id}`);
    expect([redirected.status, redirected.body.id, redirected.headers.get('content-location')]).toEqual([200, survivor.id, `/v1/customers/${survivor.id}`]);
    const write = await call('PATCH', `/v1/customers/${dupe.id}`, { name: 'x' }, { 'if-match': '*' });
    expect([write.status, write.body.code, write.body.survivorId]).toEqual([409, 'customer_merged', survivor.id]);
    expect((await call('GET', '/v1/customers?kind=company')).body.items.map((c: { id: string }) => c.id)).toEqual([survivor.id]);
    expect((await call('GET', '/v1/customers?tag=north')).body.items.map((c: { id: string }) => c.id)).toEqual([survivor.id]);
    expect((await call('GET', `/v1/customers/${contact.id}`)).body.companyId).toBe(survivor.id);
    expect((await call('GET', `/v1/customers?companyId=${survivor.id}`)).body.items.map((c: { id: string }) => c.id)).toEqual([contact.id]);
    expect(await texts(survivor.id)).toEqual(['from the survivor', 'from the duplicate']); // one timeline, one Query
    expect((await call('GET', `/v1/merges/${mergeId}`)).body).toMatchObject({ status: 'merged', survivorId: survivor.id, mergedIds: [dupe.id], movedContacts: 1 });
    // The merged record is no duplicate candidate any more.
    expect((await call('POST', '/v1/customers', { kind: 'company', name: 'Other', emails: [{ address: 'info@acme.cn' }] })).body.duplicates.map((d: { id: string }) => d.id)).toEqual([survivor.id]);
    const audit = await call('GET', `/v1/audit?resource=customer&resourceId=${dupe.id}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'customers:merge', detail: { mergeId, mergedInto: survivor.id } });

    const undone = await call('POST', `/v1/merges/${mergeId}/undo`);
    expect(undone.status).toBe(200);
    expect(undone.body.merge.status).toBe('undone');
    expect(undone.body.survivor).toMatchObject({ id: survivor.id, name: 'Acme Ltd', tags: ['vip'], emails: [], customFields: { tier: 'gold' }, version: 3 });
    const back = await call('GET', `/v1/customers/${dupe.id}`);
    expect(back.body).toMatchObject({ id: dupe.id, name: 'ACME Co., Ltd.', tags: ['north'], customFields: { tier: 'silver', size: 'large' } });
    expect(back.body.mergedInto).toBeUndefined();
    expect((await call('GET', `/v1/customers/${contact.id}`)).body.companyId).toBe(dupe.id);
    expect([await texts(survivor.id), await texts(dupe.id)]).toEqual([['from the survivor'], ['from the duplicate']]);
    expect((await call('GET', '/v1/customers?tag=north')).body.items.map((c: { id: string }) => c.id)).toEqual([dupe.id]);
    expect((await call('POST', `/v1/merges/${mergeId}/undo`)).status).toBe(409);
  });

  it('refuses to undo once the survivor changed, and needs customers:merge', async () => {
    const call = await as('merge-diverge');
    const a = (await call('POST', '/v1/customers', { kind: 'person', name: 'A' })).body;
    const b = (await call('POST', '/v1/customers', { kind: 'person', name: 'B' })).body;
    const rep = await as('merge-diverge', 'rep', ['sales']);
    expect((await rep('POST', '/v1/customers/merge', { survivorId: a.id, mergeIds: [b.id] })).status).toBe(403);
    const { mergeId } = (await call('POST', '/v1/customers/merge', { survivorId: a.id, mergeIds: [b.id], rule: 'most-recent' })).body;
    expect((await call('PATCH', `/v1/customers/${a.id}`, { tags: ['later'] }, { 'if-match': '"2"' })).status).toBe(200);
    const refused = await call('POST', `/v1/merges/${mergeId}/undo`);
    expect([refused.status, refused.body.code, refused.body.customerId]).toEqual([409, 'merge_diverged', a.id]);
    // Another tenant cannot see the merge.
    const other = await as('merge-other');
    expect((await other('GET', `/v1/merges/${mergeId}`)).status).toBe(404);
    expect((await other('POST', `/v1/merges/${mergeId}/undo`)).status).toBe(404);
  });
});

describe('batch duplicate scan', () => {
  it('finds existing groups across the tenant as a background job with progress, pages of groups and nothing from other tenants', async () => {
    const call = await as('scan-co');
    await call('PUT', '/v1/settings/customers', { duplicatePolicy: 'allow', defaultPhoneRegion: 'CN' }, { 'if-match': '"0"' });
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) ids.push((await call('POST', '/v1/customers', { kind: 'person', name: `Person ${i}`, phones: [{ number: `1380013${String(8000 + (i % 10)).padStart(4, '0')}` }] })).body.id);
    await call('POST', '/v1/customers', { kind: 'company', name: 'Lonely Co' });
    const other = await as('scan-other');
    await other('POST', '/v1/customers', { kind: 'person', name: 'Elsewhere', phones: [{ number: '13800138000' }] });

    const started = await call('POST', '/v1/duplicates/scan');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ kind: 'duplicate-scan', status: 'queued' });
    await server.drain();
    const done = await call('GET', `/v1/duplicates/scan/${started.body.id}`);
    expect(done.body).toMatchObject({ status: 'succeeded', progress: { processed: 31 }, result: { scanned: 31, groups: 10 } });

    const first = await call('GET', `/v1/duplicates/scan/${started.body.id}/groups?limit=4`);
    const second = await call('GET', `/v1/duplicates/scan/${started.body.id}/groups?limit=50&after=${encodeURIComponent(first.body.next)}`);
    const groups = [...first.body.items, ...second.body.items];
    expect(groups).toHaveLength(10);
    // Customers i, i+10, i+20 share a phone: each group is anchored at its smallest id with the other two.
    for (const g of groups) {
      expect(g.members).toHaveLength(2);
      expect(g.members.every((m: { id: string; rule: string }) => m.id > g.anchor.id && m.rule === 'same-mobile')).toBe(true);
    }
    expect(new Set(groups.flatMap((g) => [g.anchor.id, ...g.members.map((m: { id: string }) => m.id)]))).toEqual(new Set(ids));
    // Only its creator sees a scan.
    expect((await other('GET', `/v1/duplicates/scan/${started.body.id}`)).status).toBe(404);
  });
});
