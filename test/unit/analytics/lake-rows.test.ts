import { describe, expect, it } from 'vitest';
import { groupLakeRows, LAKE_COLUMNS, lakeRowsFromChange, type ChangeRecord } from '@crm/core';

const T = '01JTENANT00000000000000000';
const at = Date.parse('2026-03-04T05:06:07.000Z');

function change(eventName: ChangeRecord['eventName'], newImage?: Record<string, unknown>, oldImage?: Record<string, unknown>): ChangeRecord {
  return { eventId: 'e1', eventName, approximateCreationTime: at, ...(newImage ? { newImage } : {}), ...(oldImage ? { oldImage } : {}) };
}

const customer = {
  pk: `T#${T}#C#c1`, sk: 'PROFILE', entity: 'customer', tenantId: T, id: 'c1', kind: 'person',
  name: 'Zhang San', phones: [{ e164: '+8613800000000' }], emails: [{ address: 'z@example.com' }], address: { line1: 'Secret Road 1' },
  tags: ['vip', 'enc:v1:sealed-tag'], ownerId: 'u1', orgPath: '/east/', customFields: { nationalId: '110101' },
  version: 2, createdAt: '2026-03-01T00:00:00.000Z', updatedAt: '2026-03-04T23:30:00+08:00',
};
const interaction = {
  pk: `T#${T}#C#c1`, sk: 'TL#2026-03-02T10:00:00.000Z#i1', entity: 'interaction', tenantId: T, id: 'i1', customerId: 'c1',
  channel: 'wechat', type: 'message', occurredAt: '2026-03-02T10:00:00.000Z', payload: { text: 'my phone is 13800000000' }, createdAt: '2026-03-02T10:00:01.000Z',
};
const order = {
  entity: 'order', tenantId: T, id: 'o1', customerId: 'c1', amount: 199.9, currency: 'CNY', status: 'paid', orderedAt: '2026-02-28T23:59:59.000Z',
  source: 'pos', lines: [{ sku: 'A', name: 'Secret product', quantity: 1, unitPrice: 199.9 }], externalId: 'SHOP-1', version: 1,
  createdAt: '2026-03-01T00:00:00.000Z', updatedAt: '2026-03-01T00:00:00.000Z', createdBy: 'u1', updatedBy: 'u1',
};
const deal = {
  entity: 'deal', tenantId: T, id: 'd1', name: 'Big secret deal', amount: 5000, currency: 'EUR', ownerId: 'u2', orgPath: '/', customerId: 'c1',
  contactIds: [], pipelineId: 'p1', stage: 'lead', stageEnteredAt: '2026-03-01T08:00:00.000Z', version: 1,
  createdAt: '2026-03-01T08:00:00.000Z', updatedAt: '2026-03-01T08:00:00.000Z', createdBy: 'u2', updatedBy: 'u2',
};

describe('lakeRowsFromChange', () => {
  it('maps a customer version to a snapshot row without names, contacts, addresses, custom fields or sealed values', () => {
    const rows = lakeRowsFromChange(change('INSERT', customer));
    expect(rows).toEqual([{
      table: 'customer_snapshots', tenantId: T, dt: '2026-03-04',
      row: {
        tenant_id: T, customer_id: 'c1', kind: 'person', owner_id: 'u1', org_path: '/east/', tags: ['vip'],
        created_at: '2026-03-01T00:00:00.000Z', updated_at: '2026-03-04T15:30:00.000Z', version: 2, deleted: false,
      },
    }]);
    expect(Object.keys(rows[0]!.row).sort()).toEqual(LAKE_COLUMNS.customer_snapshots.map((c) => c.name).sort());
    const text = JSON.stringify(rows);
    for (const secret of ['Zhang', '+86138', 'example.com', 'Secret Road', '110101', 'sealed-tag']) expect(text).not.toContain(secret);
  });

  it('flags merged and deleted customers and skips versions that did not change', () => {
    const merged = lakeRowsFromChange(change('MODIFY', { ...customer, version: 3, mergedInto: 'c2' }, customer));
    expect(merged[0]!.row).toMatchObject({ version: 3, deleted: true });
    const deleted = lakeRowsFromChange(change('MODIFY', { ...customer, version: 3, deletedAt: '2026-03-05T00:00:00.000Z' }, customer));
    expect(deleted[0]!.row).toMatchObject({ version: 3, deleted: true });
    // An archive stub is no live profile either (the inactive-customers report skips it); rehydrated, it is again.
    const stub = { ...customer, version: 3, archived: true, archivedAt: '2026-03-05T00:00:00.000Z' };
    expect(lakeRowsFromChange(change('MODIFY', stub, customer))[0]!.row).toMatchObject({ version: 3, deleted: true });
    expect(lakeRowsFromChange(change('MODIFY', { ...customer, version: 4 }, stub))[0]!.row).toMatchObject({ version: 4, deleted: false });
    expect(lakeRowsFromChange(change('MODIFY', { ...customer, timers: { x: 'y' } }, customer))).toEqual([]);
    expect(lakeRowsFromChange(change('REMOVE', undefined, customer))).toEqual([]);
  });

  it('maps a recorded interaction (not its merge copy, not a payload) to an interactions row', () => {
    expect(lakeRowsFromChange(change('INSERT', interaction))).toEqual([{
      table: 'interactions', tenantId: T, dt: '2026-03-02',
      row: { tenant_id: T, interaction_id: 'i1', customer_id: 'c1', channel: 'wechat', type: 'message', occurred_at: '2026-03-02T10:00:00.000Z' },
    }]);
    expect(lakeRowsFromChange(change('INSERT', { ...interaction, movedByMerge: true }))).toEqual([]);
    expect(lakeRowsFromChange(change('INSERT', { ...interaction, rehydratedAt: '2026-11-25T10:00:00.000Z' }))).toEqual([]);
    expect(lakeRowsFromChange(change('MODIFY', { ...interaction, flagged: true }, interaction))).toEqual([]);
    expect(JSON.stringify(lakeRowsFromChange(change('INSERT', interaction)))).not.toContain('13800000000');
  });

  it('maps every order version to an orders row partitioned by the order date (no lines, no external id)', () => {
    const created = lakeRowsFromChange(change('INSERT', order));
    expect(created).toEqual([{
      table: 'orders', tenantId: T, dt: '2026-02-28',
      row: { tenant_id: T, order_id: 'o1', customer_id: 'c1', amount: 199.9, currency: 'CNY', status: 'paid', ordered_at: '2026-02-28T23:59:59.000Z', source: 'pos', version: 1 },
    }]);
    const refunded = lakeRowsFromChange(change('MODIFY', { ...order, status: 'refunded', version: 2, updatedAt: '2026-03-03T00:00:00.000Z' }, order));
    expect(refunded).toEqual([{ ...created[0], row: { ...created[0]!.row, status: 'refunded', version: 2 } }]);
    expect(JSON.stringify(created)).not.toMatch(/Secret product|SHOP-1/);
    expect(lakeRowsFromChange(change('INSERT', { ...order, entity: 'order-external-id' }))).toEqual([]);
  });

  it('maps a deal creation and each stage change (with time in the previous stage) to deal_stage_changes rows', () => {
    expect(lakeRowsFromChange(change('INSERT', deal))).toEqual([{
      table: 'deal_stage_changes', tenantId: T, dt: '2026-03-01',
      row: {
        tenant_id: T, deal_id: 'd1', pipeline_id: 'p1', from_stage: null, to_stage: 'lead', outcome: null,
        changed_at: '2026-03-01T08:00:00.000Z', duration_ms: null, amount: 5000, currency: 'EUR', owner_id: 'u2',
      },
    }]);
    const won = { ...deal, stage: 'won', outcome: 'won', stageEnteredAt: '2026-03-03T08:00:00.000Z', version: 2 };
    const rows = lakeRowsFromChange(change('MODIFY', won, deal));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ dt: '2026-03-03', row: { from_stage: 'lead', to_stage: 'won', outcome: 'won', duration_ms: 2 * 86_400_000 } });
    expect(JSON.stringify(rows)).not.toContain('Big secret deal');
    // Edits that keep the stage are no stage change.
    expect(lakeRowsFromChange(change('MODIFY', { ...deal, amount: 6000, version: 2 }, deal))).toEqual([]);
    expect(lakeRowsFromChange(change('MODIFY', { ...won, deletedAt: '2026-03-04T00:00:00.000Z', version: 3 }, won))).toEqual([]);
    expect(lakeRowsFromChange(change('INSERT', { ...deal, entity: 'deal-stage-history' }))).toEqual([]);
  });

  it('skips other entities, records without a tenant or id, and unsafe tenant ids', () => {
    expect(lakeRowsFromChange(change('INSERT', { entity: 'task', tenantId: T, id: 't1' }))).toEqual([]);
    expect(lakeRowsFromChange(change('INSERT', { ...interaction, tenantId: undefined }))).toEqual([]);
    expect(lakeRowsFromChange(change('INSERT', { ...interaction, tenantId: '../etc' }))).toEqual([]);
    expect(lakeRowsFromChange(change('INSERT', { ...interaction, customerId: undefined }))).toEqual([]);
  });

  it('groups rows per table, tenant and date', () => {
    const rows = [
      ...lakeRowsFromChange(change('INSERT', interaction)),
      ...lakeRowsFromChange(change('INSERT', { ...interaction, id: 'i2' })),
      ...lakeRowsFromChange(change('INSERT', { ...interaction, id: 'i3', occurredAt: '2026-03-03T00:00:00.000Z' })),
      ...lakeRowsFromChange(change('INSERT', order)),
    ];
    expect(groupLakeRows(rows).map((g) => [g.table, g.dt, g.rows.map((r) => r.interaction_id ?? r.order_id)])).toEqual([
      ['interactions', '2026-03-02', ['i1', 'i2']],
      ['interactions', '2026-03-03', ['i3']],
      ['orders', '2026-02-28', ['o1']],
    ]);
  });
});
