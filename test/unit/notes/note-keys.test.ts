import { describe, expect, it } from 'vitest';
import { noteIndexAttributes, noteKeys } from '@crm/core';

describe('note keys (offline)', () => {
  it('puts each note in its own partition and lists it per customer (gsi1) and per deal (gsi2), tenant first', () => {
    expect(noteKeys.note('acme', '01JNOTE')).toEqual({ pk: 'T#acme#NOTE#01JNOTE', sk: 'NOTE' });
    expect(noteIndexAttributes('acme', { id: '01JNOTE', customerId: '01JCUST', createdAt: '2026-11-25T10:00:00.000Z' })).toEqual({
      gsi1pk: 'T#acme#NOTES#C#01JCUST', gsi1sk: '2026-11-25T10:00:00.000Z#01JNOTE',
    });
    expect(noteIndexAttributes('acme', { id: '01JNOTE', customerId: '01JCUST', dealId: '01JDEAL', createdAt: '2026-11-25T10:00:00.000Z' })).toEqual({
      gsi1pk: 'T#acme#NOTES#C#01JCUST', gsi1sk: '2026-11-25T10:00:00.000Z#01JNOTE',
      gsi2pk: 'T#acme#NOTES#DEAL#01JDEAL', gsi2sk: '2026-11-25T10:00:00.000Z#01JNOTE',
    });
  });

  it('sorts lists by creation time, then id', () => {
    expect(noteKeys.listSortKey('2026-11-25T10:00:00.000Z', 'B') > noteKeys.listSortKey('2026-11-25T10:00:00.000Z', 'A')).toBe(true);
    expect(noteKeys.listSortKey('2026-11-25T10:00:01.000Z', 'A') > noteKeys.listSortKey('2026-11-25T10:00:00.000Z', 'Z')).toBe(true);
  });
});
