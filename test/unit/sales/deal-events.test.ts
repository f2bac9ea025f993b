import { describe, expect, it } from 'vitest';
import { eventsFromChange, type ChangeRecord } from '@crm/core';

// The deal items' change-feed mapping (the contract fixtures are checked in test/unit/events).
const deal = {
  entity: 'deal', tenantId: 'acme', id: '01M88YXTM5K2P9R7S4T6V8W0XA', name: 'Deal', amount: 100, currency: 'CNY', ownerId: 'alice', orgPath: '/',
  customerId: '01M88YXTM09W5QNPJ5S2E4FEFP', contactIds: [], pipelineId: '01M88YXTM6A1B2C3D4E5F6G7H8', stage: 'lead', stageEnteredAt: '2026-11-25T09:00:00.000Z',
  version: 1, createdAt: '2026-11-25T09:00:00.000Z', updatedAt: '2026-11-25T09:00:00.000Z', createdBy: 'alice', updatedBy: 'alice',
};
const change = (oldImage: Record<string, unknown> | undefined, newImage: Record<string, unknown>): ChangeRecord =>
  ({ eventId: 'e1', eventName: oldImage ? 'MODIFY' : 'INSERT', approximateCreationTime: 0, ...(oldImage ? { oldImage } : {}), newImage });
const types = (r: ChangeRecord) => eventsFromChange(r).map((e) => e.type);

describe('deal events', () => {
  it('publishes created, stage-changed (+ won/lost), stale once, deleted; nothing for edits or counters', () => {
    expect(types(change(undefined, deal))).toEqual(['deal.created']);
    expect(types(change(deal, { ...deal, name: 'Renamed', version: 2 }))).toEqual([]);
    const moved = { ...deal, stage: 'won', outcome: 'won', closedAt: '2026-11-26T09:00:00.000Z', closeReason: 'ok', stageEnteredAt: '2026-11-26T09:00:00.000Z', version: 2 };
    const events = eventsFromChange(change(deal, moved));
    expect(events.map((e) => e.type)).toEqual(['deal.stage-changed', 'deal.won']);
    expect(events[0]!.data).toMatchObject({ from: 'lead', to: 'won', durationMs: 86_400_000, outcome: 'won' });
    expect(events[1]!.data).toMatchObject({ reason: 'ok', cycleMs: 86_400_000 });
    expect(types(change(deal, { ...moved, outcome: 'lost', stage: 'lost' }))).toEqual(['deal.stage-changed', 'deal.lost']);
    const stale = { ...deal, stale: true, staleSince: '2026-12-02T09:00:00.000Z', version: 2 };
    expect(types(change(deal, stale))).toEqual(['deal.stale']);
    expect(types(change(stale, { ...stale, name: 'x', version: 3 }))).toEqual([]);
    expect(types(change(deal, { ...deal, deletedAt: '2026-11-27T00:00:00.000Z', deletedBy: 'bob', version: 2 }))).toEqual(['deal.deleted']);
    expect(eventsFromChange({ eventId: 'e2', eventName: 'INSERT', approximateCreationTime: 0, newImage: { entity: 'deal-stage-counter', tenantId: 'acme', pipelineId: 'P', count: 1 } })).toEqual([]);
  });
});
