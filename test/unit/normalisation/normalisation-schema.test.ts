import { describe, expect, it } from 'vitest';
import {
  normaliseEmail,
  normalisedEmailSchema,
  normalisedPhoneSchema,
  normalisePhone,
  parseChineseAddress,
  parsedAddressSchema,
} from '@crm/core';

describe('normalisation schemas describe what the normalisers produce', () => {
  it('phones, valid and invalid, with and without extension', () => {
    for (const raw of ['13800138000', '010-12345678转801', '+1 212 555 0123', 'garbage']) {
      expect(normalisedPhoneSchema.parse(normalisePhone(raw, { defaultRegion: 'CN' }))).toEqual(normalisePhone(raw, { defaultRegion: 'CN' }));
    }
  });

  it('emails', () => {
    for (const raw of ['A@B.CO', 'nope']) expect(normalisedEmailSchema.safeParse(normaliseEmail(raw)).success).toBe(true);
  });

  it('addresses', () => {
    for (const raw of ['广东省广州市天河区天河路385号', '沪', 'abc']) expect(parsedAddressSchema.safeParse(parseChineseAddress(raw)).success).toBe(true);
  });

  it('rejects what the normalisers never produce', () => {
    expect(normalisedPhoneSchema.safeParse({ raw: 'x', e164: '13800138000', display: null, type: null, valid: true }).success).toBe(false);
    expect(parsedAddressSchema.safeParse({ ...parseChineseAddress('沪'), provinceCode: '3' }).success).toBe(false);
  });
});
