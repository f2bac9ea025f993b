import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  auditKeys, createCustomer, CreateCustomerInput, deleteCustomer, getTimeline, interactionKeys, InteractionInput, mergeCustomers, MergeCustomersInput,
  putInteractionSettings, recordInteraction, recordInteractionBatch, TimelineQuery, updateCustomer, UpdateCustomerInput, type InteractionDeps,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext as ctx, errorCode, fixedClock, stores, testEncryptor } from '../support/use-case-harness';

const customer = async (o: Record<string, unknown>) => (await createCustomer(deps, ctx(), CreateCustomerInput.parse({ kind: 'person', ...o }))).customer;
const ix = (o: Record<string, unknown>) => InteractionInput.parse({ channel: 'sms', type: 'message', occurredAt: '2026-11-01T00:00:00Z', payload: { text: 'hi', direction: 'inbound' }, ...o });
const timeline = (id: string, q: Record<string, unknown> = {}) => getTimeline(deps, ctx(), id, TimelineQuery.parse(q));
let deps: InteractionDeps;

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('interaction use cases on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]();
  });
  beforeEach(async () => {
    deps = { store: await stores[adapter](), clock: fixedClock, ids: ulidGenerator(), encryptor: testEncryptor };
  });

  it('writes one timeline item and one client-id item per interaction, no audit entry, and a concurrent retry writes nothing twice', async () => {
    const c = await customer({ name: 'Sun Li' });
    const auditBefore = await deps.store.query({ partition: auditKeys.dayPartition('acme', '2026-11-25'), limit: 100 });
    const item = ix({ clientId: 'evt-1', customerId: c.id });
    const [a, b] = await Promise.all([recordInteraction(deps, ctx(), item), recordInteraction(deps, ctx(), item)]);
    expect([a.status, b.status].sort()).toEqual(['created', 'duplicate']);
    expect(a.id).toBe(b.id);
    const stored = await deps.store.query({ partition: interactionKeys.timelinePartition('acme', c.id), sortKey: { beginsWith: 'TL#' }, limit: 10 });
    expect(stored.items).toEqual([expect.objectContaining({
      pk: `T#acme#C#${c.id}`, sk: `TL#2026-11-01T00:00:00.000Z#${a.id}`, entity: 'interaction', tenantId: 'acme', customerId: c.id, channel: 'sms', type: 'message', createdBy: 'alice', matchedBy: 'customerId',
    })]);
    expect(await deps.store.get(interactionKeys.clientId('acme', 'evt-1'))).toMatchObject({ interactionId: a.id, customerId: c.id, expiresAt: expect.any(Number) });
    const auditAfter = await deps.store.query({ partition: auditKeys.dayPartition('acme', '2026-11-25'), limit: 100 });
    expect(auditAfter.items.length).toBe(auditBefore.items.length);
  });

  it('lands interactions for a merged id on the survivor, and the merged id answers with the survivor timeline', async () => {
    const a = await customer({ name: 'Zhou Jie' });
    const b = await customer({ name: 'Zhou J.' });
    await mergeCustomers(deps, ctx(), MergeCustomersInput.parse({ survivorId: a.id, mergeIds: [b.id] }));
    const res = await recordInteraction(deps, ctx(), ix({ customerId: b.id }));
    expect(res).toMatchObject({ status: 'created', customerId: a.id });
    expect((await timeline(b.id)).items.map((i) => i.id)).toEqual([res.id]);
    await deleteCustomer(deps, ctx(), a.id, undefined);
    expect(await errorCode(timeline(a.id))).toBe('not_found');
    expect(await errorCode(recordInteraction(deps, ctx(), ix({ customerId: a.id })))).toBe('not_found');
  });

  it('resolves a phone to the most recently updated live customer, ignoring deleted ones', async () => {
    const older = await customer({ name: 'Old', phones: [{ number: '13900000001' }] });
    const newer = await customer({ name: 'New', phones: [{ number: '139 0000 0001' }] });
    const gone = await customer({ name: 'Gone', phones: [{ number: '+8613900000001' }] });
    deps.clock = { now: () => new Date('2026-11-26T00:00:00Z') };
    await updateCustomer(deps, ctx(), newer.id, UpdateCustomerInput.parse({ name: 'Newer' }), '"1"');
    await deleteCustomer(deps, ctx(), gone.id, undefined);
    const res = await recordInteraction(deps, ctx(), ix({ identity: { phone: '0086 139-0000-0001' } }));
    expect(res).toMatchObject({ status: 'created', customerId: newer.id, matchedBy: 'phone' });
    expect(older.id).not.toBe(newer.id);
  });

  it('keeps every other item of a batch when some fail, and parks unknown identities under the park policy', async () => {
    const c = await customer({ name: 'Batch' });
    await putInteractionSettings(deps, ctx(), { unknownIdentity: 'park' }, '"0"');
    const result = await recordInteractionBatch(deps, ctx(), {
      items: [
        { clientId: 'k1', customerId: c.id, channel: 'sms', type: 'message', occurredAt: '2026-11-01T00:00:00Z', payload: { text: 'a', direction: 'inbound' } },
        { clientId: 'k2', customerId: '01J0000000000000000000000Z', channel: 'sms', type: 'message', occurredAt: '2026-11-01T00:00:00Z', payload: { text: 'b', direction: 'inbound' } },
        { clientId: 'k3', identity: { email: 'nobody@example.com' }, channel: 'email', type: 'opened', occurredAt: '2026-11-01T00:00:00Z', payload: { messageId: 'm' } },
        { clientId: 'k4', customerId: c.id, channel: 'survey', type: 'response', occurredAt: '2026-11-02T00:00:00Z', payload: { surveyId: 's', nps: 11 } },
      ],
    });
    expect(result.results.map((r) => [r.status, r.code])).toEqual([['created', undefined], ['invalid', 'not_found'], ['parked', undefined], ['invalid', 'validation_failed']]);
    expect(result.results[3]!.errors).toEqual([expect.objectContaining({ path: 'payload.nps' })]);
    const parked = await deps.store.query({ partition: interactionKeys.parkedPartition('acme'), limit: 10 });
    expect(parked.items).toEqual([expect.objectContaining({ entity: 'parked-interaction', identity: { email: 'nobody@example.com' }, channel: 'email', clientId: 'k3' })]);
    expect((await timeline(c.id)).items).toHaveLength(1);
  });

  it('batch path: one write per client id even when a batch repeats it, one lead per unknown external id, merged ids land on the survivor', async () => {
    const a = await customer({ name: 'Qian Yu' });
    const b = await customer({ name: 'Qian Y.' });
    await mergeCustomers(deps, ctx(), MergeCustomersInput.parse({ survivorId: a.id, mergeIds: [b.id] }));
    const sms = (o: Record<string, unknown>) => ({ channel: 'sms', type: 'message', occurredAt: '2026-11-03T00:00:00Z', payload: { text: 'x', direction: 'inbound' }, ...o });
    const items = [
      sms({ clientId: 'same', customerId: a.id }),
      sms({ clientId: 'same', customerId: a.id }),
      sms({ clientId: 'm1', customerId: b.id }),
      sms({ clientId: 'x1', identity: { externalId: { system: 'shop', id: 'member-9' } } }),
      sms({ clientId: 'x2', identity: { externalId: { system: 'shop', id: 'member-9' } } }),
    ];
    const first = await recordInteractionBatch(deps, ctx(), { items });
    expect(first.results.map((r) => r.status)).toEqual(['created', 'duplicate', 'created', 'created', 'created']);
    expect(first.results[1]!.id).toBe(first.results[0]!.id);
    expect(first.results[2]).toMatchObject({ customerId: a.id });
    expect(first.results[3]).toMatchObject({ matchedBy: 'lead' });
    expect(first.results[4]).toMatchObject({ matchedBy: 'externalId', customerId: first.results[3]!.customerId });
    expect((await timeline(a.id)).items.map((i) => i.id).sort()).toEqual([first.results[0]!.id, first.results[2]!.id].sort());
    const again = await recordInteractionBatch(deps, ctx(), { items });
    expect(again.counts).toMatchObject({ created: 0, duplicate: 5 });
    expect(again.results.map((r) => r.id)).toEqual(first.results.map((r) => r.id));
  });

  it('batch path: a transaction that fails leaves that item failed and writes every other one', async () => {
    const c = await customer({ name: 'Partial' });
    const real = deps.store;
    // The store refuses the second prepared transaction (as a throttled TransactWriteItems would).
    const flaky = Object.create(real) as typeof real;
    flaky.transactEach = async (groups) => {
      const outcomes = await real.transactEach(groups.map((g, i) => (i === 1 ? [] : g)));
      return outcomes.map((o, i) => (i === 1 ? new Error('ProvisionedThroughputExceeded') : o));
    };
    const sms = (clientId: string) => ({ clientId, customerId: c.id, channel: 'sms', type: 'message', occurredAt: '2026-11-04T00:00:00Z', payload: { text: clientId, direction: 'inbound' } });
    const result = await recordInteractionBatch({ ...deps, store: flaky }, ctx(), { items: [sms('p1'), sms('p2'), sms('p3')] });
    expect(result.results.map((r) => [r.status, r.code])).toEqual([['created', undefined], ['failed', 'internal_error'], ['created', undefined]]);
    expect((await timeline(c.id)).items.map((i) => i.payload.text).sort()).toEqual(['p1', 'p3']);
    expect(await deps.store.get(interactionKeys.clientId('acme', 'p2'))).toBeUndefined();
    const retry = await recordInteractionBatch(deps, ctx(), { items: [sms('p1'), sms('p2'), sms('p3')] });
    expect(retry.results.map((r) => r.status)).toEqual(['duplicate', 'created', 'duplicate']);
  });

  it('continues a filtered page after the last returned item, and lists all channels newest first', async () => {
    const c = await customer({ name: 'Many' });
    const items = Array.from({ length: 30 }, (_, n) => ({
      customerId: c.id, channel: n % 10 === 0 ? 'phone_call' : 'sms', type: n % 10 === 0 ? 'call' : 'message',
      occurredAt: new Date(Date.UTC(2026, 9, 1, 0, n)).toISOString(),
      payload: n % 10 === 0 ? { direction: 'inbound', durationSec: n } : { text: `m${n}`, direction: 'inbound' },
    }));
    expect((await recordInteractionBatch(deps, ctx(), { items })).counts.created).toBe(30);
    const first = await timeline(c.id, { channel: 'phone_call', limit: 2 });
    expect(first.items.map((i) => i.payload.durationSec)).toEqual([20, 10]);
    const second = await timeline(c.id, { channel: 'phone_call', limit: 2, after: first.next });
    expect(second.items.map((i) => i.payload.durationSec)).toEqual([0]);
    expect(second.next).toBeNull();
    const unfiltered = await timeline(c.id, { limit: 30 });
    expect(unfiltered.items.map((i) => i.occurredAt)).toEqual(items.map((i) => i.occurredAt).reverse());
  });
});
