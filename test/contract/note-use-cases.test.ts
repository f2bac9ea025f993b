import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  auditKeys, createCustomer, createOrgUnit, CreateCustomerInput, CreateNoteInput, createNote, deleteCustomer, deleteNote, getNote, getTimeline, listCustomerNotes, listDealNotes,
  ListNotesQuery, mergeCustomers, MergeCustomersInput, noteKeys, TimelineQuery, updateNote, type Clock, type CustomerDeps, type DealNoteLookup, type NoteDeps, type SecuredContext,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext, errorCode as code, stores, testEncryptor as encryptor } from '../support/use-case-harness';

// Note use cases against both real stores (in-memory SQLite, DynamoDB Local). The deals module is a
// port here (DealNoteLookup): a table of known deals stands in for it, as deals are not under test.
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
/** Every reading moves one second on, so notes written one after another have distinct times. */
function tickingClock(): Clock {
  let n = 0;
  return { now: () => new Date(T0 + (n += 1) * 1000) };
}

const DEAL_ID = '01JDEA1000000000000000000A';
const HIDDEN_DEAL_ID = '01JDEA1000000000000000000B';
let deps: NoteDeps;
let customerDeps: CustomerDeps;
/** Deals of tenant acme. */
let deals: Record<string, { customerId: string; visibleTo: string[] }>;
const dealLookup: DealNoteLookup = async (_store, ctx, dealId) => {
  const deal = deals[dealId];
  return deal && ctx.principal.tenantId === 'acme' ? { customerId: deal.customerId, visible: deal.visibleTo.includes(ctx.principal.subject) || ctx.access.dataScope === 'tenant' } : undefined;
};

const admin = (tenantId = 'acme') => adminContext(tenantId, 'alice');
/** A sales rep whose data domain is one org subtree (sees customers placed there). */
function rep(subject: string, orgPath: string): SecuredContext {
  const principal = { tenantId: 'acme', kind: 'user' as const, subject, roles: ['sales'], scopes: [], orgPath };
  return { principal, requestId: 'req-2', access: { principal, permissions: ['*:*'], dataScope: 'subtree', fields: {}, shares: new Set() } };
}
const input = (body: string, format?: 'html' | 'text') => CreateNoteInput.parse({ body, ...(format ? { format } : {}) });
const page = (o: Record<string, unknown> = {}) => ListNotesQuery.parse(o);
const crmTimeline = async (ctx: SecuredContext, customerId: string) => (await getTimeline(deps, ctx, customerId, TimelineQuery.parse({ channel: 'crm' }))).items;
const customer = async (name: string, orgPath = '/') => (await createCustomer(customerDeps, admin(), CreateCustomerInput.parse({ kind: 'company', name, orgPath, ownerId: 'owner-1' }))).customer;
const auditOf = async (noteId: string) => (await deps.store.query({ index: 'gsi1', partition: auditKeys.byResource('acme', 'note', noteId), limit: 20 })).items;

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('note use cases on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]!();
  });
  beforeEach(async () => {
    const store = await stores[adapter]!();
    const clock = tickingClock();
    deps = { store, clock, ids: ulidGenerator(), deals: dealLookup };
    customerDeps = { store, clock, ids: ulidGenerator(), encryptor };
    deals = {};
    const hq = await createOrgUnit(deps, admin(), { key: 'hq', name: 'HQ' });
    await createOrgUnit(deps, admin(), { key: 'east', name: 'East', parentId: hq.id });
    await createOrgUnit(deps, admin(), { key: 'west', name: 'West', parentId: hq.id });
  });

  it('stores sanitised HTML with its excerpt and mentions, and writes the timeline entry and the audit record with it', async () => {
    const c = await customer('Acme Ltd');
    const { note } = await createNote(deps, admin(), { customerId: c.id }, input('<p onclick="x()">Call <span data-mention="bob">@Bob</span> re <a href="javascript:alert(1)">renewal</a></p><script>alert(1)</script>'));
    expect(note).toMatchObject({
      customerId: c.id, format: 'html', version: 1, createdBy: 'alice', updatedBy: 'alice', mentions: ['bob'], excerpt: 'Call @Bob re renewal',
      body: '<p>Call <span data-mention="bob">@Bob</span> re <a rel="noopener noreferrer nofollow">renewal</a></p>',
    });
    expect(note.dealId).toBeUndefined();
    expect(await getNote(deps, admin(), note.id)).toEqual(note);

    const timeline = await crmTimeline(admin(), c.id);
    expect(timeline).toEqual([{
      id: note.id, customerId: c.id, channel: 'crm', type: 'note', occurredAt: note.createdAt,
      payload: { noteId: note.id, excerpt: 'Call @Bob re renewal', mentions: ['bob'] }, createdAt: note.createdAt, createdBy: 'alice',
    }]);
    const audit = await auditOf(note.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'notes:create', resource: 'note', resourceId: note.id, outcome: 'success', detail: { customerId: c.id } });
  });

  it('rejects a body that is empty once sanitised, and writes nothing', async () => {
    const c = await customer('Empty Co');
    expect(await code(createNote(deps, admin(), { customerId: c.id }, input('<script>alert(1)</script><img src=x>')))).toBe('validation_failed');
    expect((await listCustomerNotes(deps, admin(), c.id, page())).items).toEqual([]);
    expect(await crmTimeline(admin(), c.id)).toEqual([]);
  });

  it('lists a customer’s notes newest first in cursor pages', async () => {
    const c = await customer('Pages Ltd');
    const written = [];
    for (const text of ['one', 'two', 'three']) written.push((await createNote(deps, admin(), { customerId: c.id }, input(text, 'text'))).note.id);
    const first = await listCustomerNotes(deps, admin(), c.id, page({ limit: 2 }));
    expect(first.items.map((n) => n.excerpt)).toEqual(['three', 'two']);
    expect(first.next).not.toBeNull();
    const second = await listCustomerNotes(deps, admin(), c.id, page({ limit: 2, after: first.next }));
    expect(second.items.map((n) => n.id)).toEqual([written[0]]);
    // A cursor is bound to its customer's list and tenant.
    const other = await customer('Other Ltd');
    expect(await code(listCustomerNotes(deps, admin(), other.id, page({ after: first.next })))).toBe('invalid_cursor');
  });

  it('edits under optimistic locking: If-Match required, stale answers 412, the timeline excerpt follows', async () => {
    const c = await customer('Edit Co');
    const { note } = await createNote(deps, admin(), { customerId: c.id }, input('<p>first draft</p>'));
    expect(await code(updateNote(deps, admin(), note.id, { body: 'x' }, undefined))).toBe('precondition_required');
    const updated = await updateNote(deps, admin(), note.id, { body: '<p>final <span data-mention="ann">@Ann</span></p>' }, '"1"');
    expect(updated).toMatchObject({ version: 2, format: 'html', excerpt: 'final @Ann', mentions: ['ann'], createdAt: note.createdAt });
    expect(updated.updatedAt > note.updatedAt).toBe(true);
    expect(await code(updateNote(deps, admin(), note.id, { body: 'late' }, '"1"'))).toBe('precondition_failed');
    const asText = await updateNote(deps, admin(), note.id, { body: '<b>literal</b>', format: 'text' }, '"2"');
    expect(asText).toMatchObject({ version: 3, format: 'text', body: '<b>literal</b>', mentions: [] });

    const timeline = await crmTimeline(admin(), c.id);
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toMatchObject({ id: note.id, occurredAt: note.createdAt, payload: { noteId: note.id, excerpt: '<b>literal</b>', mentions: [] } });
    expect((await auditOf(note.id)).map((a) => a.action).sort()).toEqual(['notes:create', 'notes:update', 'notes:update']);
  });

  it('lets exactly one of two concurrent edits of the same version win', async () => {
    const c = await customer('Race Co');
    const { note } = await createNote(deps, admin(), { customerId: c.id }, input('start', 'text'));
    const outcomes = await Promise.all([
      code(updateNote(deps, admin(), note.id, { body: 'A' }, '"1"')),
      code(updateNote(deps, admin(), note.id, { body: 'B' }, '"1"')),
    ]);
    expect(outcomes.sort()).toEqual(['ok', 'precondition_failed']);
    expect((await getNote(deps, admin(), note.id)).version).toBe(2);
  });

  it('deletes a note with its timeline entry, audited with the before-image', async () => {
    const c = await customer('Delete Co');
    const keep = (await createNote(deps, admin(), { customerId: c.id }, input('keep', 'text'))).note;
    const { note } = await createNote(deps, admin(), { customerId: c.id }, input('<p>remove me</p>'));
    expect(await code(deleteNote(deps, admin(), note.id, '"7"'))).toBe('precondition_failed');
    await deleteNote(deps, admin(), note.id, '"1"');
    expect(await code(getNote(deps, admin(), note.id))).toBe('not_found');
    expect(await deps.store.get(noteKeys.note('acme', note.id))).toBeUndefined();
    expect((await crmTimeline(admin(), c.id)).map((e) => e.id)).toEqual([keep.id]);
    expect((await listCustomerNotes(deps, admin(), c.id, page())).items.map((n) => n.id)).toEqual([keep.id]);
    const deletion = (await auditOf(note.id)).find((a) => a.action === 'notes:delete');
    expect(deletion).toMatchObject({ resourceId: note.id, before: { id: note.id, body: '<p>remove me</p>', version: 1 } });
    expect(await code(deleteNote(deps, admin(), note.id))).toBe('not_found');
  });

  it('shows a note only to whoever sees its customer; others, other tenants and deleted customers get 404', async () => {
    const east = await customer('East Co', '/hq/east');
    const { note } = await createNote(deps, rep('east-rep', '/hq/east'), { customerId: east.id }, input('east only', 'text'));
    const westRep = rep('west-rep', '/hq/west');
    expect((await getNote(deps, rep('east-boss', '/hq'), note.id)).id).toBe(note.id);
    for (const [who, ctx] of [['other team', westRep], ['other tenant', admin('globex')]] as const) {
      expect({ who, get: await code(getNote(deps, ctx, note.id)) }).toEqual({ who, get: 'not_found' });
      expect(await code(updateNote(deps, ctx, note.id, { body: 'x' }, '*'))).toBe('not_found');
      expect(await code(deleteNote(deps, ctx, note.id))).toBe('not_found');
      expect(await code(listCustomerNotes(deps, ctx, east.id, page()))).toBe('not_found');
      expect(await code(createNote(deps, ctx, { customerId: east.id }, input('intrude', 'text')))).toBe('not_found');
    }
    expect((await getNote(deps, admin(), note.id)).version).toBe(1);
    await deleteCustomer(customerDeps, admin(), east.id);
    expect(await code(getNote(deps, admin(), note.id))).toBe('not_found');
  });

  it('writes deal notes onto the deal’s customer timeline, lists them per deal and per customer, and lets the deal’s viewers see them', async () => {
    const c = await customer('Deal Customer', '/hq/east');
    deals[DEAL_ID] = { customerId: c.id, visibleTo: ['deal-owner'] };
    deals[HIDDEN_DEAL_ID] = { customerId: c.id, visibleTo: [] };
    const onCustomer = (await createNote(deps, admin(), { customerId: c.id }, input('customer note', 'text'))).note;
    const { note } = await createNote(deps, admin(), { dealId: DEAL_ID }, input('<p>deal note</p>'));
    expect(note).toMatchObject({ customerId: c.id, dealId: DEAL_ID, excerpt: 'deal note' });
    expect((await crmTimeline(admin(), c.id)).find((e) => e.id === note.id)?.payload).toEqual({ noteId: note.id, excerpt: 'deal note', dealId: DEAL_ID, mentions: [] });
    expect((await listDealNotes(deps, admin(), DEAL_ID, page())).items.map((n) => n.id)).toEqual([note.id]);
    expect((await listCustomerNotes(deps, admin(), c.id, page())).items.map((n) => n.id)).toEqual([note.id, onCustomer.id]);

    // The deal owner works in another team: it sees the deal's notes, not the customer's own ones.
    const owner = rep('deal-owner', '/hq/west');
    expect((await getNote(deps, owner, note.id)).id).toBe(note.id);
    expect((await updateNote(deps, owner, note.id, { body: 'edited by owner' , format: 'text' }, '"1"')).version).toBe(2);
    expect(await code(getNote(deps, owner, onCustomer.id))).toBe('not_found');
    expect(await code(listDealNotes(deps, owner, HIDDEN_DEAL_ID, page()))).toBe('not_found');
    expect(await code(createNote(deps, owner, { dealId: HIDDEN_DEAL_ID }, input('x', 'text')))).toBe('not_found');
    expect(await code(createNote(deps, admin(), { dealId: '01JDEA1000000000000000000C' }, input('x', 'text')))).toBe('not_found');
    expect(await code(listDealNotes(deps, admin('globex'), DEAL_ID, page()))).toBe('not_found');
  });

  it('writes a note sent for a merged customer onto the survivor, and edits its entry where the merge moved it', async () => {
    const survivor = await customer('Twin');
    const merged = await customer('Twin Ltd');
    const before = (await createNote(deps, admin(), { customerId: merged.id }, input('before the merge', 'text'))).note;
    await mergeCustomers(customerDeps, admin(), MergeCustomersInput.parse({ survivorId: survivor.id, mergeIds: [merged.id] }));
    const after = (await createNote(deps, admin(), { customerId: merged.id }, input('after the merge', 'text'))).note;
    expect(after.customerId).toBe(survivor.id);
    // The merge re-pointed the earlier note at the survivor (a new version of it).
    const moved = await getNote(deps, admin(), before.id);
    expect(moved).toMatchObject({ customerId: survivor.id, version: 2 });
    await updateNote(deps, admin(), before.id, { body: 'edited after the merge', format: 'text' }, '"2"');
    const entries = await crmTimeline(admin(), survivor.id);
    expect(entries.map((e) => [e.id, e.payload.excerpt]).sort()).toEqual([[after.id, 'after the merge'], [before.id, 'edited after the merge']].sort());
  });

  it('answers an Idempotency-Key retry with the first note and writes nothing twice', async () => {
    const c = await customer('Retry Co');
    const first = await createNote(deps, admin(), { customerId: c.id }, input('once', 'text'), { idempotencyKey: 'k-1' });
    const retry = await createNote(deps, admin(), { customerId: c.id }, input('once', 'text'), { idempotencyKey: 'k-1' });
    expect(retry).toEqual({ note: first.note, replayed: true });
    expect(await code(createNote(deps, admin(), { customerId: c.id }, input('different', 'text'), { idempotencyKey: 'k-1' }))).toBe('idempotency_key_reused');
    expect((await listCustomerNotes(deps, admin(), c.id, page())).items).toHaveLength(1);
  });
});
