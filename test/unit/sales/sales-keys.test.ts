import { describe, expect, it } from 'vitest';
import { closeDateRange, dealIndexAttributes, dealKeys, pipelineKeys } from '@crm/core';

// Keys of pipelines, stage counters and deals, asserted without a database.
describe('sales keys', () => {
  it('puts the tenant first in every partition key', () => {
    expect(pipelineKeys.pipeline('acme', 'P1')).toEqual({ pk: 'T#acme#PIPELINE#P1', sk: 'PIPELINE' });
    expect(pipelineKeys.list('acme', false)).toBe('T#acme#PIPELINES');
    expect(pipelineKeys.list('acme', true)).toBe('T#acme#PIPELINES#ARCHIVED');
    expect(dealKeys.deal('acme', 'D1')).toEqual({ pk: 'T#acme#DEAL#D1', sk: 'DEAL' });
    expect(dealKeys.history('acme', 'D1', '2026-11-25T10:00:00.000Z', 'H1')).toEqual({ pk: 'T#acme#DEAL#D1', sk: 'HIST#2026-11-25T10:00:00.000Z#H1' });
  });

  it('keeps one counter per stage and org unit under the pipeline; a stage prefix never matches a longer key', () => {
    expect(pipelineKeys.counter('acme', 'P1', 'lead', '/')).toEqual({ pk: 'T#acme#PIPELINE#P1', sk: 'COUNT#lead#/' });
    expect(pipelineKeys.counter('acme', 'P1', 'lead', '/hq/east')).toEqual({ pk: 'T#acme#PIPELINE#P1', sk: 'COUNT#lead#/hq/east/' });
    expect(pipelineKeys.counterPrefix('lead')).toBe('COUNT#lead#');
    expect(pipelineKeys.counter('acme', 'P1', 'lead_2', '/').sk.startsWith(pipelineKeys.counterPrefix('lead'))).toBe(false);
  });

  it('indexes a live deal by stage, owner, pipeline, tenant and customer, sorted by close date', () => {
    const deal = { id: 'D1', pipelineId: 'P1', stage: 'lead', ownerId: 'alice', customerId: 'C1', expectedCloseDate: '2026-12-31' };
    expect(dealIndexAttributes('acme', deal)).toEqual({
      gsi1pk: 'T#acme#DEALSTAGE#P1#lead', gsi1sk: '2026-12-31#D1',
      gsi2pk: 'T#acme#DEALOWNER#alice', gsi2sk: '2026-12-31#D1',
      gsi3pk: 'T#acme#DEALPIPE#P1', gsi3sk: '2026-12-31#D1',
      gsi4pk: 'T#acme#DEALS', gsi4sk: '2026-12-31#D1',
      gsi5pk: 'T#acme#DEALCUST#C1', gsi5sk: '2026-12-31#D1',
    });
    const { expectedCloseDate: _e, ...undated } = deal;
    expect(dealIndexAttributes('acme', undated).gsi1sk).toBe('~#D1');
    expect(dealIndexAttributes('acme', { ...deal, deletedAt: '2026-11-25T10:00:00.000Z' })).toEqual({ gsi4pk: 'T#acme#DEALS#DELETED', gsi4sk: '2026-12-31#D1' });
  });

  it('turns a close-date filter into one sort-key range that leaves undated deals out', () => {
    expect(closeDateRange('2026-12-01', '2026-12-31')).toEqual({ between: ['2026-12-01', '2026-12-31#~'] });
    expect(closeDateRange('2026-12-01')).toEqual({ between: ['2026-12-01', '~'] });
    expect(closeDateRange(undefined, '2026-12-31')).toEqual({ lte: '2026-12-31#~' });
    expect(closeDateRange()).toBeUndefined();
    const inRange = (sk: string, r: { between: [string, string] }) => sk >= r.between[0] && sk <= r.between[1];
    expect(inRange('~#D1', { between: ['2026-12-01', '~'] })).toBe(false);
    expect(inRange('2026-12-31#D9', { between: ['2026-12-01', '2026-12-31#~'] })).toBe(true);
  });
});

describe('repointing a deal to another customer (merges)', () => {
  it('moves the customer and its index entry, keeps timers and everything else', async () => {
    const { repointDealItem } = await import('@crm/core');
    const item = {
      pk: 'T#acme#DEAL#D1', sk: 'DEAL', entity: 'deal', tenantId: 'acme', id: 'D1', name: 'd', currency: 'CNY', ownerId: 'alice', orgPath: '/', customerId: 'C1', contactIds: [],
      pipelineId: 'P1', stage: 'lead', stageEnteredAt: '2026-11-25T10:00:00.000Z', version: 3, createdAt: 'x', updatedAt: 'x', createdBy: 'a', updatedBy: 'a',
      timers: { 'deal-stale': '2026-12-02T10:00:00.000Z' }, gsi5pk: 'T#acme#DEALCUST#C1', gsi5sk: '~#D1',
    };
    const moved = repointDealItem('acme', item, 'C2');
    expect(moved).toMatchObject({ customerId: 'C2', gsi5pk: 'T#acme#DEALCUST#C2', gsi5sk: '~#D1', gsi1pk: 'T#acme#DEALSTAGE#P1#lead', timers: item.timers, version: 3 });
  });
});
