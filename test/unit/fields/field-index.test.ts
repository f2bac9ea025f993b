import { describe, expect, it } from 'vitest';
import {
  AppError, customFieldIndexItems, encodeSortableNumber, FieldDefinitionInput, fieldIndexKeys, planCustomFieldFilter, uniqueConflictField, uniqueValueHash,
  type Customer, type FieldDefinition,
} from '@crm/core';

const def = (key: string, o: Partial<FieldDefinition> & Pick<FieldDefinition, 'type'>): FieldDefinition => ({
  key, objectType: 'customer', label: key, required: false, validation: {}, filterable: true, unique: false, indexState: 'ready',
  status: 'active', version: 1, updatedAt: '2026-11-25T10:00:00.000Z', updatedBy: 'root', ...o,
});
const customer = (customFields: Record<string, unknown>, o: Partial<Customer> = {}): Customer => ({
  id: '01JAAAAAAAAAAAAAAAAAAAAAAA', kind: 'company', name: 'Acme  Trading', phones: [], emails: [], tags: [], ownerId: 'alice', orgPath: '/',
  customFields: customFields as Customer['customFields'], version: 3, createdAt: '2026-11-25T10:00:00.000Z', updatedAt: '2026-11-25T10:00:00.000Z',
  createdBy: 'alice', updatedBy: 'alice', ...o,
});
const keys = (items: Array<{ pk: string; sk: string }>) => items.map((i) => [i.pk, i.sk]);

describe('sortable number encoding', () => {
  it('orders negatives, zero, decimals and huge values like the numbers themselves, at a fixed width', () => {
    const numbers = [-Number.MAX_VALUE, -1e21, -(2 ** 53), -1000.5, -1, -0.5, -1e-10, 0, 5e-324, 1e-10, 0.5, 0.75, 1, 2, 10, 1000.25, 2 ** 53, 1e21, Number.MAX_VALUE];
    const shuffled = [...numbers].reverse(); // reversed: the sort must do all the work
    const bySortKey = shuffled.map((n) => ({ n, k: encodeSortableNumber(n) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.n);
    expect(bySortKey).toEqual(numbers);
    expect(new Set(numbers.map((n) => encodeSortableNumber(n).length))).toEqual(new Set([16]));
    expect(encodeSortableNumber(-0)).toBe(encodeSortableNumber(0));
    expect(encodeSortableNumber(0.1 + 0.2)).not.toBe(encodeSortableNumber(0.3)); // exact, no rounding
    expect(() => encodeSortableNumber(Number.NaN)).toThrow(RangeError);
  });
});

describe('customFieldIndexItems', () => {
  it('writes an equality item sorted by name, and a value-ordered range item for ordered types', () => {
    const items = customFieldIndexItems('acme', customer({ budget: -12.5, since: '2024-02-29', seen: '2026-11-25T18:00:00+08:00', vip: true }), [
      def('budget', { type: 'currency' }), def('since', { type: 'date' }), def('seen', { type: 'datetime' }), def('vip', { type: 'boolean' }),
    ]);
    const id = '01JAAAAAAAAAAAAAAAAAAAAAAA';
    expect(keys(items)).toEqual([
      ['T#acme#CFV#customer#budget#-12.5', `acme trading#${id}`],
      ['T#acme#CFR#customer#budget', `${encodeSortableNumber(-12.5)}#${id}`],
      ['T#acme#CFV#customer#since#2024-02-29', `acme trading#${id}`],
      ['T#acme#CFR#customer#since', `2024-02-29#${id}`],
      ['T#acme#CFV#customer#seen#2026-11-25T10:00:00.000Z', `acme trading#${id}`], // offsets normalised to UTC
      ['T#acme#CFR#customer#seen', `2026-11-25T10:00:00.000Z#${id}`],
      ['T#acme#CFV#customer#vip#true', `acme trading#${id}`],
    ]);
    expect(items[0]).toMatchObject({ entity: 'customer-field-value', tenantId: 'acme', customerId: id, field: 'budget' });
    expect(items[1]).toMatchObject({ entity: 'customer-field-range', tenantId: 'acme', customerId: id });
  });

  it('fans a multi-enum out to one item per distinct option, and folds text (NFKC, case, spaces)', () => {
    const items = customFieldIndexItems('acme', customer({ regions: ['North', 'south', 'NORTH'], city: '  ＳＨＡＮＧＨＡＩ   Pudong ' }), [
      def('regions', { type: 'multiEnum', validation: { options: ['North', 'south'] } }), def('city', { type: 'text' }),
    ]);
    expect(items.map((i) => i.pk)).toEqual(['T#acme#CFV#customer#regions#north', 'T#acme#CFV#customer#regions#south', 'T#acme#CFV#customer#city#shanghai pudong']);
  });

  it('hashes long values into the key', () => {
    const long = 'x'.repeat(5000);
    const [item] = customFieldIndexItems('acme', customer({ notes: long }), [def('notes', { type: 'longText' })]);
    expect(item!.pk).toBe(`T#acme#CFV#customer#notes#sha256:${uniqueValueHash(long)}`);
    expect(item!.pk.length).toBeLessThan(200);
  });

  it('produces nothing for removed, non-filterable or sensitive fields, deleted or merged records, empty, sealed or ill-typed values', () => {
    const fields = [def('a', { type: 'text' })];
    expect(customFieldIndexItems('acme', customer({ a: 'x' }), fields)).toHaveLength(1); // positive control
    expect(customFieldIndexItems('acme', customer({ a: 'x' }), [def('a', { type: 'text', status: 'removed' })])).toEqual([]);
    expect(customFieldIndexItems('acme', customer({ a: 'x' }), [def('a', { type: 'text', filterable: false })])).toEqual([]);
    expect(customFieldIndexItems('acme', customer({ a: 'x' }, { deletedAt: '2026-11-25T11:00:00.000Z' }), fields)).toEqual([]);
    expect(customFieldIndexItems('acme', customer({ a: 'x' }, { mergedInto: '01JBBBBBBBBBBBBBBBBBBBBBBB' }), fields)).toEqual([]);
    expect(customFieldIndexItems('acme', customer({ a: 'x' }), fields, { sensitiveFields: ['customFields.a'] })).toEqual([]);
    expect(customFieldIndexItems('acme', customer({}), fields)).toEqual([]);
    expect(customFieldIndexItems('acme', customer({ a: '   ' }), fields)).toEqual([]);
    expect(customFieldIndexItems('acme', customer({ a: 'enc:v1:AAAA' }), fields)).toEqual([]);
    expect(customFieldIndexItems('acme', customer({ n: 'twelve' }), [def('n', { type: 'number' })])).toEqual([]); // written before the field existed
  });

  it('claims unique values by hash of the normalised value, in the build generation, and not once the build failed', () => {
    const email = def('email', { type: 'email', filterable: false, unique: true, indexGeneration: 4 });
    const [claim] = customFieldIndexItems('acme', customer({ email: ' Li.Na@Example.COM ' }), [email]);
    expect(claim).toEqual({
      ...fieldIndexKeys.unique('acme', 'customer', 'email', 4, uniqueValueHash('li.na@example.com')),
      entity: 'customer-unique', tenantId: 'acme', customerId: '01JAAAAAAAAAAAAAAAAAAAAAAA', field: 'email', valueHash: uniqueValueHash('li.na@example.com'), unique: true,
    });
    expect(claim!.pk).toBe(`T#acme#UNIQ#customer#email#g4#${uniqueValueHash('li.na@example.com')}`);
    expect(uniqueConflictField(claim!)).toBe('email');
    const phone = def('tel', { type: 'phone', filterable: false, unique: true, indexGeneration: 1 });
    const a = customFieldIndexItems('acme', customer({ tel: '+86 (138) 0013-8000' }), [phone]);
    const b = customFieldIndexItems('acme', customer({ tel: '+8613800138000' }), [phone]);
    expect(a[0]!.pk).toBe(b[0]!.pk);
    expect(customFieldIndexItems('acme', customer({ email: 'x@y.z' }), [{ ...email, indexState: 'failed' }])).toEqual([]);
    expect(uniqueConflictField({ pk: 'T#acme#TAG#x', sk: 'y', entity: 'customer-tag' })).toBeUndefined();
  });
});

describe('unique field definitions', () => {
  it('allow unique on text, email, phone, number and url only', () => {
    for (const type of ['text', 'email', 'phone', 'number', 'url'] as const) expect(FieldDefinitionInput.safeParse({ label: 'X', type, unique: true }).success).toBe(true);
    const bad = FieldDefinitionInput.safeParse({ label: 'X', type: 'date', unique: true });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['unique'] });
    expect(FieldDefinitionInput.parse({ label: 'X', type: 'date' }).unique).toBe(false);
  });
});

describe('planCustomFieldFilter', () => {
  const fields = [
    def('level', { type: 'enum', validation: { options: ['Gold', 'Silver'] } }), def('budget', { type: 'currency' }),
    def('plain', { type: 'text', filterable: false }), def('slow', { type: 'text', indexState: 'building' }), def('gone', { type: 'text', status: 'removed' }),
  ];
  const error = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof AppError ? [e.code, e.extra.errors?.[0]?.path ?? e.extra.field] : e;
    }
    return 'no error';
  };

  it('maps equality to the value partition (name prefix on the sort key) and ranges to the range partition', () => {
    expect(planCustomFieldFilter('acme', fields, { key: 'level', equals: 'gold' }, 'ac').query).toEqual({ partition: 'T#acme#CFV#customer#level#gold', sortKey: { beginsWith: 'ac' } });
    expect(planCustomFieldFilter('acme', fields, { key: 'budget', gte: '-5', lte: '100' }).query).toEqual({
      partition: 'T#acme#CFR#customer#budget', sortKey: { between: [encodeSortableNumber(-5), `${encodeSortableNumber(100)}#~`] },
    });
    expect(planCustomFieldFilter('acme', fields, { key: 'budget', lte: '7' }).query.sortKey).toEqual({ lte: `${encodeSortableNumber(7)}#~` });
  });

  it('re-checks entries against the record: stale names or values do not match', () => {
    const plan = planCustomFieldFilter('acme', fields, { key: 'budget', gte: '10' });
    const c = customer({ budget: 50 });
    const [, range] = customFieldIndexItems('acme', c, fields);
    expect(plan.matches(range!, c)).toBe(true);
    expect(plan.matches(range!, customer({ budget: 5 }))).toBe(false);
    const eq = planCustomFieldFilter('acme', fields, { key: 'level', equals: 'GOLD' });
    const [entry] = customFieldIndexItems('acme', customer({ level: 'Gold' }), fields);
    expect(eq.matches(entry!, customer({ level: 'Gold' }))).toBe(true);
    expect(eq.matches(entry!, customer({ level: 'Gold' }, { name: 'Renamed' }))).toBe(false);
  });

  it('refuses unknown, removed, non-filterable fields (400), unfinished indexes (409) and values of the wrong type', () => {
    expect(error(() => planCustomFieldFilter('acme', fields, { key: 'nope', equals: 'x' }))).toEqual(['validation_failed', 'query.cf.nope']);
    expect(error(() => planCustomFieldFilter('acme', fields, { key: 'gone', equals: 'x' }))).toEqual(['validation_failed', 'query.cf.gone']);
    expect(error(() => planCustomFieldFilter('acme', fields, { key: 'plain', equals: 'x' }))).toEqual(['validation_failed', 'query.cf.plain']);
    expect(error(() => planCustomFieldFilter('acme', fields, { key: 'slow', equals: 'x' }))).toEqual(['conflict', 'customFields.slow']);
    expect(error(() => planCustomFieldFilter('acme', fields, { key: 'level', gte: 'a' }))).toEqual(['validation_failed', 'query.cf.level.gte']);
    expect(error(() => planCustomFieldFilter('acme', fields, { key: 'level', equals: 'bronze' }))).toEqual(['validation_failed', 'query.cf.level']);
    expect(error(() => planCustomFieldFilter('acme', fields, { key: 'budget', gte: 'lots' }))).toEqual(['validation_failed', 'query.cf.budget.gte']);
    expect(error(() => planCustomFieldFilter('acme', fields, { key: 'budget', gte: '9', lte: '1' }))).toEqual(['validation_failed', 'query.cf.budget.gte']);
  });
});
