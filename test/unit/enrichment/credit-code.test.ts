import { describe, expect, it } from 'vitest';
import { CompanyRecord, creditCodeCheckCharacter, isValidCreditCode, normalizeCreditCode } from '@crm/core';
import { createFixtureCompanyRegistry } from '@crm/adapters/company-registry';
import fixture from '../../../packages/adapters/src/company-registry/fixtures/company-registry.json';

describe('unified social credit code (GB 32100-2015)', () => {
  it.each([
    '91350100M000100Y43', // the standard's worked example
    '91110108551385082Q',
    '91440300708461136T',
  ])('accepts %s', (code) => {
    expect(isValidCreditCode(code)).toBe(true);
  });

  it.each([
    ['91350100M000100Y42', 'wrong check character'],
    ['91350100M000100Y4', 'too short'],
    ['91350100M000100Y433', 'too long'],
    ['91350100M00O100Y43', 'O is not in the alphabet'],
    ['9135010AM000100Y43', 'letter in the administrative division'],
    ['91350100m000100y43', 'not normalised (lower case)'],
    ['', 'empty'],
  ])('rejects %s (%s)', (code) => {
    expect(isValidCreditCode(code)).toBe(false);
  });

  it('computes the check character and maps a remainder of 0 to "0"', () => {
    expect(creditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(creditCodeCheckCharacter('9135010OM000100Y4')).toBeUndefined();
    // Find a 17-character body whose weighted sum is a multiple of 31: its check character is 0.
    const body = Array.from({ length: 31 }, (_, i) => `9135010000000000${'0123456789ABCDEFGHJKLMNPQRTUWXY'[i]}`).find((b) => creditCodeCheckCharacter(b) === '0');
    expect(body).toBeDefined();
    expect(isValidCreditCode(`${body}0`)).toBe(true);
  });

  it('normalises full-width, spaced, lower-case input', () => {
    expect(normalizeCreditCode(' ９１３５０１００ｍ０００１００ｙ４３ ')).toBe('91350100M000100Y43');
  });
});

describe('fixture company registry', () => {
  it('holds about twenty valid, distinct fictitious companies', () => {
    expect(fixture.companies.length).toBeGreaterThanOrEqual(20);
    for (const c of fixture.companies) expect(CompanyRecord.safeParse({ ...c, source: 'fixture' }).success, c.creditCode).toBe(true);
    expect(new Set(fixture.companies.map((c) => c.creditCode)).size).toBe(fixture.companies.length);
  });

  it('finds by credit code (normalised) or folded name, and answers undefined otherwise', async () => {
    const registry = createFixtureCompanyRegistry();
    const first = fixture.companies[0]!;
    expect(await registry.lookup({ creditCode: first.creditCode.toLowerCase() })).toMatchObject({ name: first.name, source: 'fixture' });
    expect(await registry.lookup({ name: ` ${first.name} ` })).toMatchObject({ creditCode: first.creditCode });
    expect(await registry.lookup({ name: '不存在的公司' })).toBeUndefined();
    expect(await registry.lookup({})).toBeUndefined();
  });

  it('refuses a fixture with an invalid credit code at construction', () => {
    const bad = { ...fixture.companies[0]!, creditCode: '91350100M000100Y42' } as never;
    expect(() => createFixtureCompanyRegistry([bad])).toThrow();
  });
});
