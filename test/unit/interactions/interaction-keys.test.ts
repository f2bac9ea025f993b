import { describe, expect, it } from 'vitest';
import { interactionKeys } from '@crm/core';

describe('interaction keys (offline)', () => {
  it('puts timeline items in the customer partition, sorted by time then id, tenant first everywhere', () => {
    expect(interactionKeys.timeline('acme', '01JCUST', '2026-11-01T00:00:00.000Z', '01JIX')).toEqual({ pk: 'T#acme#C#01JCUST', sk: 'TL#2026-11-01T00:00:00.000Z#01JIX' });
    expect(interactionKeys.timelineFrom('2026-11-01T00:00:00.000Z')).toBe('TL#2026-11-01T00:00:00.000Z');
    // `to` is inclusive: every id at that instant sorts below the bound.
    expect(interactionKeys.timelineTo('2026-11-01T00:00:00.000Z') > interactionKeys.timeline('a', 'c', '2026-11-01T00:00:00.000Z', 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ').sk).toBe(true);
    expect(interactionKeys.parked('acme', '01JIX')).toEqual({ pk: 'T#acme#PARKED', sk: 'IX#01JIX' });
    expect(interactionKeys.settings('acme')).toEqual({ pk: 'T#acme#SETTINGS', sk: 'INTERACTIONS' });
    expect(interactionKeys.locator('acme', '01JIX')).toEqual({ pk: 'T#acme#IX#01JIX', sk: 'IX' });
  });

  it('digests client and external ids (any characters, fixed length, no key injection)', () => {
    const a = interactionKeys.clientId('acme', 'msg#1/2');
    expect(a.pk).toMatch(/^T#acme#IXCLIENT#[A-Za-z0-9_-]{32}$/);
    expect(interactionKeys.clientId('acme', 'msg#1/2')).toEqual(a);
    expect(interactionKeys.clientId('acme', 'msg#1/3').pk).not.toBe(a.pk);
    expect(interactionKeys.externalId('acme', 'wechat_work', 'wm#1').pk).toMatch(/^T#acme#EXTID#wechat_work#[A-Za-z0-9_-]{32}$/);
  });
});
