import { describe, expect, it } from 'vitest';
import { blockingKeys, combineRecords, foldName, namePinyin, normalisePhoneInputs, scoreHit, type Customer } from '@crm/core';

describe('name folding', () => {
  it.each([
    ['廣州天河體育用品有限公司', 'company', '广州天河体育用品'],
    ['广州天河体育用品（广州）有限责任公司', 'company', '广州天河体育用品'],
    ['ＡＣＭＥ Co., Ltd.', 'company', 'acme'],
    ['Acme GmbH', 'company', 'acme'],
    ['Acme Group Holdings', 'company', 'acme'],
    ['Limited', 'company', 'limited'], // never folds to nothing
    ['張 偉', 'person', '张伟'],
    ['Li-Na', 'person', 'lina'],
  ] as const)('%s (%s) → %s', (name, kind, folded) => {
    expect(foldName(name, kind)).toBe(folded);
  });

  it('gives Chinese names a toneless pinyin key; Latin names none', () => {
    expect(namePinyin('张伟')).toBe('zhangwei');
    expect(namePinyin('章炜')).toBe('zhangwei');
    expect(namePinyin('acme')).toBeUndefined();
  });
});

describe('blocking keys', () => {
  it('keys valid phones (mobile vs fixed line), emails, the credit code and the name; never invalid or sealed values', () => {
    const keys = blockingKeys({
      kind: 'company', name: '华为技术有限公司',
      phones: [...normalisePhoneInputs([{ number: '13800138000' }, { number: '010-12345678' }, { number: 'call me' }]), { e164: 'enc:v1:abc', type: 'mobile', valid: true }],
      emails: [{ address: 'Info@Huawei.com' }],
      customFields: { creditCode: '91440300708461136T' },
    });
    expect(keys.map((k) => k.type)).toEqual(['creditCode', 'phone', 'fixedLine', 'email', 'name', 'namePinyin']);
    expect(keys.find((k) => k.type === 'email')!.value).toBe('info@huawei.com');
    expect(keys.find((k) => k.type === 'name')!.value).toBe('company:华为技术');
  });
});

describe('scoring', () => {
  it('combines independent evidence and names the strongest rule', () => {
    expect(scoreHit('person', ['phone'])).toEqual({ score: 0.9, rule: 'same-mobile' });
    expect(scoreHit('person', ['name']).score).toBeCloseTo(0.4);
    expect(scoreHit('person', ['name', 'namePinyin']).score).toBeCloseTo(0.4); // pinyin adds nothing to an equal name
    expect(scoreHit('person', ['phone', 'email']).score).toBeCloseTo(0.99);
    expect(scoreHit('company', ['namePinyin']).rule).toBe('similar-company-name');
    expect(scoreHit('company', ['creditCode', 'name'])).toMatchObject({ rule: 'same-credit-code' });
  });
});

describe('combining records for a merge', () => {
  const base = (o: Partial<Customer>): Customer => ({
    id: 'X', kind: 'person', name: 'N', phones: [], emails: [], tags: [], ownerId: 'o', orgPath: '/', customFields: {}, version: 1,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', createdBy: 'a', updatedBy: 'a', ...o,
  });
  const s = base({ id: 'S', name: 'Survivor', tags: ['a'], customFields: { tier: 'gold' }, updatedAt: '2026-01-01T00:00:00.000Z' });
  const m = base({ id: 'M', name: 'Merged', tags: ['b', 'a'], emails: [{ address: 'm@x.cn' }], customFields: { tier: 'silver', size: 'l' }, updatedAt: '2026-06-01T00:00:00.000Z', ownerId: 'p' });

  it('survivor wins but gaps are filled; lists are united', () => {
    expect(combineRecords([s, m], { rule: 'survivor', fields: {} })).toMatchObject({ name: 'Survivor', tags: ['a', 'b'], emails: [{ address: 'm@x.cn' }], customFields: { tier: 'gold', size: 'l' }, ownerId: 'o' });
  });
  it('most-recent takes each value from the latest record that has one; per-field choices override', () => {
    const c = combineRecords([s, m], { rule: 'most-recent', fields: { 'customFields.size': 'S', tags: 'S' } });
    expect(c).toMatchObject({ name: 'Merged', ownerId: 'p', tags: ['a'], customFields: { tier: 'silver' } });
    expect(c.customFields.size).toBeUndefined();
  });
  it('most-complete prefers the fuller record', () => {
    expect(combineRecords([s, m], { rule: 'most-complete', fields: {} }).name).toBe('Merged');
  });
});
