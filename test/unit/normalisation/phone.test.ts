import { describe, expect, it } from 'vitest';
import { normalisePhone, normalisePhones, isSupportedPhoneRegion } from '@crm/core';

const cn = { defaultRegion: 'CN' as const };

describe('normalisePhone — mainland mobiles', () => {
  it.each([
    '13800138000',
    '138 0013 8000',
    '138-0013-8000',
    '+86 138 0013 8000',
    '+86-13800138000',
    '+8613800138000',
    '0086 138 0013 8000',
    '0086-13800138000',
    '(+86) 138 0013 8000',
    '１３８００１３８０００',
    ' 13800138000 ',
  ])('%s → +8613800138000, mobile, 3-4-4 display', (raw) => {
    expect(normalisePhone(raw, cn)).toEqual({ raw, e164: '+8613800138000', display: '138 0013 8000', type: 'mobile', valid: true });
  });

  it('keeps other carriers’ prefixes (199, 166, 147)', () => {
    expect(normalisePhone('19912345678', cn).e164).toBe('+8619912345678');
    expect(normalisePhone('16612345678', cn).type).toBe('mobile');
    expect(normalisePhone('14712345678', cn).valid).toBe(true);
  });
});

describe('normalisePhone — mainland fixed lines', () => {
  it.each([
    ['010-12345678', '+861012345678', '010-12345678'],
    ['(010) 1234 5678', '+861012345678', '010-12345678'],
    ['01012345678', '+861012345678', '010-12345678'],
    ['+86 10 1234 5678', '+861012345678', '010-12345678'],
    ['021-63210000', '+862163210000', '021-63210000'],
    ['0755-88888888', '+8675588888888', '0755-88888888'],
    ['0755 8888 8888', '+8675588888888', '0755-88888888'],
    ['0571-87654321', '+8657187654321', '0571-87654321'],
  ])('%s → %s displayed %s', (raw, e164, display) => {
    expect(normalisePhone(raw, cn)).toEqual({ raw, e164, display, type: 'fixed_line', valid: true });
  });

  it.each([
    ['010-12345678 ext. 801', '801'],
    ['010-12345678转801', '801'],
    ['010-12345678 转 801', '801'],
    ['010-12345678分机8012', '8012'],
    ['010-12345678-801', '801'],
  ])('%s keeps the extension %s beside E.164', (raw, ext) => {
    const phone = normalisePhone(raw, cn);
    expect(phone).toMatchObject({ e164: '+861012345678', type: 'fixed_line', valid: true, ext });
    expect(phone.display).toBe(`010-12345678 ext. ${ext}`);
  });

  it('the display form parses back to the same number', () => {
    for (const raw of ['0755-88888888', '13800138000', '4008108888', '010-12345678转801', '+852 2123 4567']) {
      const first = normalisePhone(raw, cn);
      const again = normalisePhone(first.display!, cn);
      expect(again.e164).toBe(first.e164);
      expect(again.ext).toBe(first.ext);
    }
  });
});

describe('normalisePhone — service numbers', () => {
  it('400 numbers are shared-cost, shown 3-3-4', () => {
    expect(normalisePhone('400-810-8888', cn)).toEqual({
      raw: '400-810-8888',
      e164: '+864008108888',
      display: '400 810 8888',
      type: 'shared_cost',
      valid: true,
    });
  });

  it('800 numbers are toll-free', () => {
    expect(normalisePhone('800 810 1234', cn)).toMatchObject({ e164: '+868008101234', display: '800 810 1234', type: 'toll_free' });
  });
});

describe('normalisePhone — foreign numbers with default region CN', () => {
  it('Hong Kong fixed line and mobile in international form', () => {
    expect(normalisePhone('+852 2123 4567', cn)).toMatchObject({ e164: '+85221234567', display: '+852 2123 4567', type: 'fixed_line' });
    expect(normalisePhone('00852 9123 4567', cn)).toMatchObject({ e164: '+85291234567', type: 'mobile', valid: true });
  });

  it('US number with country code', () => {
    expect(normalisePhone('+1 (212) 555-0123', cn)).toMatchObject({
      e164: '+12125550123',
      display: '+1 212 555 0123',
      type: 'fixed_line_or_mobile',
      valid: true,
    });
  });

  it('a US number without country code is read as Chinese: the default region decides', () => {
    expect(normalisePhone('(212) 555-0123', cn).e164).toBe('+862125550123');
    expect(normalisePhone('(212) 555-0123', { defaultRegion: 'US' })).toMatchObject({
      e164: '+12125550123',
      display: '(212) 555-0123',
    });
  });

  it('a Chinese mobile in a US tenant needs its +86 and is then shown internationally', () => {
    expect(normalisePhone('13800138000', { defaultRegion: 'US' }).valid).toBe(false);
    expect(normalisePhone('+86 138 0013 8000', { defaultRegion: 'US' })).toMatchObject({
      e164: '+8613800138000',
      display: '+86 138 0013 8000',
      type: 'mobile',
    });
  });
});

describe('normalisePhone — garbage is kept and flagged', () => {
  it.each(['', '   ', 'abc', 'n/a', '无', '123', '1380013800', '138001380001', '12345678901234567890', '+86 999', '00000000000', '010-1234'])(
    '%j → invalid, raw verbatim',
    (raw) => {
      expect(normalisePhone(raw, cn)).toEqual({ raw, e164: null, display: null, type: null, valid: false });
    },
  );

  it('a list keeps every entry in order, invalid ones included', () => {
    const phones = normalisePhones(['13800138000', 'call me', '010-12345678'], cn);
    expect(phones.map((p) => [p.raw, p.valid])).toEqual([
      ['13800138000', true],
      ['call me', false],
      ['010-12345678', true],
    ]);
  });
});

describe('isSupportedPhoneRegion', () => {
  it('validates a tenant’s default region', () => {
    expect(isSupportedPhoneRegion('CN')).toBe(true);
    expect(isSupportedPhoneRegion('HK')).toBe(true);
    expect(isSupportedPhoneRegion('XX')).toBe(false);
  });
});
