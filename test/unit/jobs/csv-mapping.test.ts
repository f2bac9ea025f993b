import { describe, expect, it } from 'vitest';
import { ImportMappingError, mapRow, planColumns, type FieldDefinition } from '@crm/core';

const targets = (header: string[], mapping?: Record<string, string>) => planColumns(header, mapping as never).map((p) => p.target);

describe('planColumns', () => {
  it('matches English and Chinese aliases, custom-field headers, and ignores the rest', () => {
    expect(targets(['客户名称', '手机', 'E-Mail', '标签', 'customFields.segment', 'Remarks'])).toEqual(['name', 'phones', 'emails', 'tags', 'customFields.segment', undefined]);
    expect(targets(['Full Name', 'Phone Number', ' City '])).toEqual(['name', 'phones', 'address.city']);
  });

  it('lets the mapping win, including ignore, and allows several phone columns', () => {
    expect(targets(['Company', 'Tel 1', 'Tel 2', 'Name'], { Company: 'name', 'Tel 1': 'phones', 'Tel 2': 'phones', Name: 'ignore' })).toEqual(['name', 'phones', 'phones', undefined]);
  });

  it('refuses mappings that cannot apply', () => {
    expect(() => planColumns(['name'], { Surname: 'name' } as never)).toThrow(ImportMappingError);
    expect(() => planColumns(['a', 'b'], { a: 'name', b: 'name' } as never)).toThrow(/both map to name/);
    expect(() => planColumns(['phone'])).toThrow(/No column maps to name/);
  });
});

describe('mapRow', () => {
  const plans = planColumns(['name', 'type', 'phones', 'emails', 'tags', 'address', 'country', 'customFields.score', 'customFields.vip', 'customFields.note']);
  const fields = [
    { key: 'score', type: 'number' }, { key: 'vip', type: 'boolean' },
  ] as FieldDefinition[];
  const row = (cells: Partial<Record<number, string>>) => Array.from({ length: plans.length }, (_, i) => cells[i] ?? '');

  it('builds a validated CreateCustomerInput: lists split, kinds translated, custom fields typed', () => {
    const result = mapRow(plans, row({ 0: ' 北京星辰 ', 1: '公司', 2: '13800138000；010-12345678', 3: 'a@b.cn, c@d.cn', 4: 'VIP|华北', 5: '朝阳区建国路1号', 6: 'cn', 7: '1,250', 8: '是', 9: 'free text' }), { defaultKind: 'person', fields });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.input).toMatchObject({
      kind: 'company', name: '北京星辰',
      phones: [{ number: '13800138000' }, { number: '010-12345678' }],
      emails: [{ address: 'a@b.cn' }, { address: 'c@d.cn' }],
      tags: ['vip', '华北'],
      address: { line1: '朝阳区建国路1号', country: 'CN' },
      customFields: { score: 1250, vip: true, note: 'free text' },
    });
  });

  it('uses the default kind and leaves empty cells out', () => {
    const result = mapRow(plans, row({ 0: 'Zhang Wei' }), { defaultKind: 'person', fields });
    expect(result.ok && result.input).toMatchObject({ kind: 'person', name: 'Zhang Wei', phones: [], tags: [], customFields: {} });
    expect(result.ok && result.input.address).toBeUndefined();
  });

  it('names the column of every problem', () => {
    const bad = mapRow(plans, row({ 1: 'robot', 3: 'nope', 7: 'many' }), { defaultKind: 'person', fields });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((i) => i.column)).toEqual(['type', 'customFields.score']);
    const invalid = mapRow(plans, row({ 3: 'nope' }), { defaultKind: 'person', fields });
    expect(!invalid.ok && invalid.issues.map((i) => i.column).sort()).toEqual(['emails', 'name']);
    const short = mapRow(plans, ['only one'], { defaultKind: 'person' });
    expect(!short.ok && short.issues[0]!.code).toBe('column_count');
  });
});
