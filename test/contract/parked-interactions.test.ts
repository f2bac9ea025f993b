import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  assignParkedInteraction, auditKeys, eventsFromChange, createCustomer, CreateCustomerInput, discardParkedInteraction, getTimeline, interactionKeys, InteractionInput,
  listParkedInteractions, mergeCustomers, MergeCustomersInput, ParkedInteractionQuery, putInteractionSettings, recordInteraction, TimelineQuery,
  type InteractionDeps,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext as ctx, errorCode, fixedClock, stores, testEncryptor } from '../support/use-case-harness';

const customer = async (o: Record<string, unknown>) => (await createCustomer(deps, ctx(), CreateCustomerInput.parse({ kind: 'person', ...o }))).customer;
const ix = (o: Record<string, unknown>) => InteractionInput.parse({ channel: 'sms', type: 'message', occurredAt: '2026-11-01T00:00:00Z', payload: { text: 'hi', direction: 'inbound' }, ...o });
const list = (q: Record<string, unknown> = {}, tenant = 'acme') => listParkedInteractions(deps, ctx(tenant), ParkedInteractionQuery.parse(q));
const audit = async (action: string) => (await deps.store.query({ partition: auditKeys.dayPartition('acme', '2026-11-25'), limit: 200 })).items.filter((i) => i.action === action);
let deps: InteractionDeps;

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('parked interactions on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]();
  });
  beforeEach(async () => {
    deps = { store: await stores[adapter](), clock: fixedClock, ids: ulidGenerator(), encryptor: testEncryptor };
    await putInteractionSettings(deps, ctx(), { unknownIdentity: 'park' }, '"0"');
  });

  it('lists parked interactions newest first in cursor pages, bound to the tenant', async () => {
    const first = await recordInteraction(deps, ctx(), ix({ identity: { phone: '13700000001' } }));
    const second = await recordInteraction(deps, ctx(), ix({ identity: { email: 'who@example.com' }, clientId: 'c-2' }));
    expect([first.status, second.status]).toEqual(['parked', 'parked']);

    const page1 = await list({ limit: 1 });
    expect(page1.items).toEqual([expect.objectContaining({ id: second.id, identity: { email: 'who@example.com' }, clientId: 'c-2', channel: 'sms', createdBy: 'alice' })]);
    expect(page1.next).toEqual(expect.any(String));
    const page2 = await list({ limit: 1, after: page1.next });
    expect(page2.items.map((i) => i.id)).toEqual([first.id]);
    expect((await list({ limit: 50 })).items.map((i) => i.id)).toEqual([second.id, first.id]);
    expect((await list({}, 'other')).items).toEqual([]);
    expect(await errorCode(list({ after: page1.next }, 'other'))).toBe('invalid_cursor');
  });

  it('assigns in one transaction: timeline + locator with the same id, parked item gone, client id repointed, audited; a second assign is 404', async () => {
    const c = await customer({ name: 'Sun Li' });
    const parked = await recordInteraction(deps, ctx(), ix({ identity: { phone: '13700000002' }, clientId: 'evt-9' }));
    expect(await deps.store.get(interactionKeys.clientId('acme', 'evt-9'))).toMatchObject({ interactionId: parked.id, parked: true });

    const assigned = await assignParkedInteraction(deps, ctx(), parked.id!, { customerId: c.id });
    expect(assigned).toMatchObject({ id: parked.id, customerId: c.id, channel: 'sms', payload: { text: 'hi', direction: 'inbound' }, clientId: 'evt-9' });
    expect((await getTimeline(deps, ctx(), c.id, TimelineQuery.parse({}))).items).toEqual([assigned]);
    const timelineItem = await deps.store.get(interactionKeys.timeline('acme', c.id, '2026-11-01T00:00:00.000Z', parked.id!));
    expect(timelineItem).toMatchObject({ entity: 'interaction', matchedBy: 'assigned' });
    // The change feed's INSERT of that item is what publishes interaction.recorded (no event code of its own).
    const events = eventsFromChange({ eventId: 'e-1', eventName: 'INSERT', approximateCreationTime: 0, newImage: timelineItem });
    expect(events.map((e) => [e.type, e.subject.id, (e.data as { customerId: string }).customerId])).toEqual([['interaction.recorded', parked.id, c.id]]);
    expect(await deps.store.get(interactionKeys.locator('acme', parked.id!))).toMatchObject({ customerId: c.id });
    expect(await deps.store.get(interactionKeys.parked('acme', parked.id!))).toBeUndefined();
    const clientItem = await deps.store.get(interactionKeys.clientId('acme', 'evt-9'));
    expect(clientItem).toMatchObject({ interactionId: parked.id, customerId: c.id, expiresAt: expect.any(Number) });
    expect(clientItem).not.toHaveProperty('parked');
    expect(await recordInteraction(deps, ctx(), ix({ identity: { phone: '13700000002' }, clientId: 'evt-9' }))).toMatchObject({ status: 'duplicate', id: parked.id, customerId: c.id });
    expect(await audit('interactions:assign-parked')).toEqual([expect.objectContaining({ resourceId: parked.id, detail: expect.objectContaining({ customerId: c.id }) })]);

    expect(await errorCode(assignParkedInteraction(deps, ctx(), parked.id!, { customerId: c.id }))).toBe('not_found');
    expect((await list()).items).toEqual([]);
  });

  it('gives an assigned interaction the archive TTL ingestion would have given it', async () => {
    await putInteractionSettings(deps, ctx(), { unknownIdentity: 'park', interactionArchiveAfterDays: 365 }, '"1"');
    const c = await customer({ name: 'Archive Li' });
    const parked = await recordInteraction(deps, ctx(), ix({ identity: { phone: '13700000009' } }));
    await assignParkedInteraction(deps, ctx(), parked.id!, { customerId: c.id });
    const expiresAt = Date.parse('2026-11-01T00:00:00Z') / 1000 + 365 * 86_400;
    expect(await deps.store.get(interactionKeys.timeline('acme', c.id, '2026-11-01T00:00:00.000Z', parked.id!))).toMatchObject({ expiresAt });
    expect(await deps.store.get(interactionKeys.locator('acme', parked.id!))).toMatchObject({ expiresAt });
  });

  it('lets exactly one of two concurrent assignments win', async () => {
    const a = await customer({ name: 'A' });
    const b = await customer({ name: 'B' });
    const parked = await recordInteraction(deps, ctx(), ix({ identity: { phone: '13700000003' } }));
    const outcomes = await Promise.all([a, b].map((c) => errorCode(assignParkedInteraction(deps, ctx(), parked.id!, { customerId: c.id }))));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'ok').every((o) => o === 'not_found' || o === 'conflict')).toBe(true);
    const timelines = await Promise.all([a, b].map(async (c) => (await getTimeline(deps, ctx(), c.id, TimelineQuery.parse({}))).items.length));
    expect(timelines.sort()).toEqual([0, 1]);
  });

  it('assigns to the survivor of a merged id, refuses unknown or foreign customers and other tenants, and leaves the item parked', async () => {
    const survivor = await customer({ name: 'Zhou Jie' });
    const merged = await customer({ name: 'Zhou J.' });
    await mergeCustomers(deps, ctx(), MergeCustomersInput.parse({ survivorId: survivor.id, mergeIds: [merged.id] }));
    const parked = await recordInteraction(deps, ctx(), ix({ identity: { phone: '13700000004' } }));
    const foreign = (await createCustomer(deps, ctx('other'), CreateCustomerInput.parse({ kind: 'person', name: 'Elsewhere' }))).customer;

    expect(await errorCode(assignParkedInteraction(deps, ctx(), parked.id!, { customerId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }))).toBe('not_found');
    expect(await errorCode(assignParkedInteraction(deps, ctx(), parked.id!, { customerId: foreign.id }))).toBe('not_found');
    expect(await errorCode(assignParkedInteraction(deps, ctx('other'), parked.id!, { customerId: foreign.id }))).toBe('not_found');
    expect(await errorCode(discardParkedInteraction(deps, ctx('other'), parked.id!))).toBe('not_found');
    expect((await list()).items.map((i) => i.id)).toEqual([parked.id]);

    expect(await assignParkedInteraction(deps, ctx(), parked.id!, { customerId: merged.id })).toMatchObject({ customerId: survivor.id });
  });

  it('discards a parked interaction (audited); the client id still answers duplicate; a second discard is 404', async () => {
    const parked = await recordInteraction(deps, ctx(), ix({ identity: { phone: '13700000005' }, clientId: 'spam-1' }));
    await discardParkedInteraction(deps, ctx(), parked.id!);
    expect((await list()).items).toEqual([]);
    expect(await audit('interactions:discard-parked')).toEqual([expect.objectContaining({ resourceId: parked.id })]);
    expect(await recordInteraction(deps, ctx(), ix({ identity: { phone: '13700000005' }, clientId: 'spam-1' }))).toMatchObject({ status: 'duplicate', id: parked.id });
    expect(await errorCode(discardParkedInteraction(deps, ctx(), parked.id!))).toBe('not_found');
    expect(await errorCode(discardParkedInteraction(deps, ctx(), 'not-an-id'))).toBe('not_found');
  });
});
