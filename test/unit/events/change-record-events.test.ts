import { describe, expect, it } from 'vitest';
import { eventId, eventsFromChange, FIELD_CIPHERTEXT_PREFIX, type ChangeRecord } from '@crm/core';

const ID = '01M88YXTM09W5QNPJ5S2E4FEFP';
const base = {
  entity: 'customer', tenantId: 'acme', id: ID, pk: `T#acme#C#${ID}`, sk: 'PROFILE', kind: 'person', name: '张三', phones: [], emails: [], tags: [],
  ownerId: 'alice', orgPath: '/', customFields: {}, version: 1, createdAt: '2026-11-25T09:00:00.000Z', updatedAt: '2026-11-25T09:00:00.000Z',
  createdBy: 'alice', updatedBy: 'alice',
};
const change = (eventName: ChangeRecord['eventName'], newImage?: Record<string, unknown>, oldImage?: Record<string, unknown>): ChangeRecord => ({
  eventId: `e-${eventName}`, eventName, approximateCreationTime: Date.parse('2026-11-25T12:00:00.000Z'),
  ...(newImage ? { newImage } : {}), ...(oldImage ? { oldImage } : {}),
});
const types = (record: ChangeRecord) => eventsFromChange(record).map((e) => e.type);

describe('change records → domain events', () => {
  it('customer INSERT → customer.created with the envelope and a summary (no contact details)', () => {
    const [event, ...rest] = eventsFromChange(change('INSERT', { ...base, phones: [{ number: '+8613800000000' }] }));
    expect(rest).toEqual([]);
    expect(event).toEqual({
      id: eventId('e-INSERT', 'customer.created'), type: 'customer.created', version: 1, tenantId: 'acme', occurredAt: '2026-11-25T09:00:00.000Z',
      subject: { type: 'customer', id: ID },
      data: { kind: 'person', name: '张三', ownerId: 'alice', orgPath: '/', tags: [], version: 1, createdBy: 'alice' },
    });
    expect(JSON.stringify(event)).not.toContain('+8613800000000');
  });

  it('event ids are deterministic per record and type (a redelivery republishes the same ids)', () => {
    expect(eventsFromChange(change('INSERT', base))[0]!.id).toBe(eventsFromChange(change('INSERT', base))[0]!.id);
    expect(eventId('a', 'customer.created')).not.toBe(eventId('b', 'customer.created'));
    expect(eventId('a', 'interaction.recorded')).not.toBe(eventId('a', 'interaction.flagged'));
    expect(eventId('a', 'x')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('customer MODIFY → updated / deleted / restored / merged; bookkeeping-only writes publish nothing', () => {
    const v2 = { ...base, version: 2, updatedAt: '2026-11-25T10:00:00.000Z', ownerId: 'bob', phones: [{ number: '+8613900000000' }], customFields: { tier: 'gold' } };
    const [updated] = eventsFromChange(change('MODIFY', v2, base));
    expect(updated).toMatchObject({
      type: 'customer.updated', occurredAt: '2026-11-25T10:00:00.000Z',
      data: { version: 2, updatedBy: 'alice', changedFields: ['customFields.tier', 'ownerId', 'phones'], values: { ownerId: 'bob' } },
    });
    expect(JSON.stringify(updated)).not.toMatch(/8613900000000|gold/);

    const deleted = { ...v2, version: 3, deletedAt: '2026-11-25T11:00:00.000Z', deletedBy: 'carol' };
    expect(eventsFromChange(change('MODIFY', deleted, v2))[0]).toMatchObject({ type: 'customer.deleted', occurredAt: '2026-11-25T11:00:00.000Z', data: { version: 3, deletedBy: 'carol' } });
    expect(eventsFromChange(change('MODIFY', { ...v2, version: 4 }, deleted))[0]).toMatchObject({ type: 'customer.restored', data: { from: 'deleted' } });
    const merged = { ...v2, version: 5, mergedInto: '01M88YXTM1303DJPT096Q9HW1N', mergedAt: '2026-11-25T13:00:00.000Z' };
    expect(eventsFromChange(change('MODIFY', merged, v2))[0]).toMatchObject({ type: 'customer.merged', data: { mergedInto: '01M88YXTM1303DJPT096Q9HW1N' } });
    expect(eventsFromChange(change('MODIFY', { ...v2, version: 6 }, merged))[0]).toMatchObject({ type: 'customer.restored', data: { from: 'merged' } });

    // Index attributes / bookkeeping only, key order of maps, a change to a deleted record: nothing.
    expect(types(change('MODIFY', { ...v2, gsi1pk: 'x', customFields: { tier: 'gold' } }, v2))).toEqual([]);
    expect(types(change('MODIFY', { ...deleted, tags: ['x'] }, deleted))).toEqual([]);
    expect(types(change('MODIFY', { ...v2, address: { city: 'b', street: 'a' } }, { ...v2, address: { street: 'a', city: 'b' } }))).toEqual([]);

    // Archiving into a stub (contacts dropped) and rehydration are storage moves: no customer.updated.
    const stub = { ...v2, version: 7, phones: [], customFields: {}, archived: true, archivedAt: '2026-11-25T14:00:00.000Z' };
    expect(types(change('MODIFY', stub, v2))).toEqual([]);
    expect(types(change('MODIFY', { ...v2, version: 8 }, stub))).toEqual([]);
    expect(types(change('MODIFY', { ...stub, version: 8, ownerId: null }, stub))).toEqual(['customer.updated']);
  });

  it('never carries sealed values: a sealed name is left out, a sealed changed field is named only', () => {
    const sealed = `${FIELD_CIPHERTEXT_PREFIX}abc`;
    expect(eventsFromChange(change('INSERT', { ...base, name: sealed }))[0]!.data).not.toHaveProperty('name');
    const [updated] = eventsFromChange(change('MODIFY', { ...base, name: `${sealed}2`, version: 2 }, { ...base, name: sealed }));
    expect(updated!.data).toMatchObject({ changedFields: ['name'], values: {} });
    expect(JSON.stringify(updated)).not.toContain(FIELD_CIPHERTEXT_PREFIX);
  });

  it('customer REMOVE and other entities → nothing', () => {
    expect(types(change('REMOVE', undefined, base))).toEqual([]);
    expect(types(change('INSERT', { entity: 'customer-tag', tenantId: 'acme', id: 'x' }))).toEqual([]);
    expect(types(change('INSERT', { entity: 'audit', tenantId: 'acme' }))).toEqual([]);
  });

  it('interaction INSERT → interaction.recorded, plus interaction.flagged when flagged (no payload)', () => {
    const interaction = {
      entity: 'interaction', tenantId: 'acme', id: '01M88YXTM21CZ7JVBVVX0B5CPY', customerId: ID, channel: 'phone', type: 'call',
      occurredAt: '2026-11-25T08:00:00+08:00', payload: { note: 'secret' }, createdAt: '2026-11-25T09:00:00.000Z', createdBy: 'x',
    };
    const [recorded] = eventsFromChange(change('INSERT', interaction));
    expect(recorded).toMatchObject({
      type: 'interaction.recorded', occurredAt: '2026-11-25T09:00:00.000Z', subject: { type: 'interaction', id: interaction.id },
      data: { customerId: ID, channel: 'phone', type: 'call', interactionOccurredAt: '2026-11-25T00:00:00.000Z', flagged: false },
    });
    expect(JSON.stringify(recorded)).not.toContain('secret');
    const flagged = eventsFromChange(change('INSERT', { ...interaction, flagged: true, flaggedRules: [{ list: 'b', word: 'w' }, { list: 'a', word: 'v' }, { list: 'b', word: 'z' }] }));
    expect(flagged.map((e) => [e.type, e.data.flagged ?? e.data.lists])).toEqual([['interaction.recorded', true], ['interaction.flagged', ['a', 'b']]]);
    expect(types(change('MODIFY', interaction, interaction))).toEqual([]);
    // A merge moving the item to the survivor's timeline is no new interaction.
    expect(types(change('INSERT', { ...interaction, movedByMerge: '01M88YXTM21CZ7JVBVVX0B5CPZ' }))).toEqual([]);
  });
});
