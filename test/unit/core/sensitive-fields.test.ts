import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FieldDecryptionError, isFieldCiphertext, maskFields, openFields, sealFields, SecuritySettingsInput } from '@crm/core';
import { createLocalFieldEncryptor } from '@crm/adapters/local-encryption';

const dir = mkdtempSync(join(tmpdir(), 'crm-sealed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const encryptor = createLocalFieldEncryptor(dir);
const TENANT = 'acme';

const customer = () => ({
  id: '01J9ZK5V3M8Q7W2X4Y6Z8A0B1C',
  name: 'Zhang Wei',
  address: { line1: '1 Main St', city: 'Shanghai', country: 'CN' },
  phones: [{ number: '+86 21 1234 5678' }],
  customFields: { nationalId: '110101199003074514', medicalNotes: 'allergic to "penicillin"', score: 7, vip: true, region: 'east' },
});

describe('sealFields / openFields', () => {
  it('replaces each present path with a ciphertext, leaves the rest and the input untouched', async () => {
    const record = customer();
    const before = structuredClone(record);
    const sealed = await sealFields(record, ['address', 'customFields.nationalId', 'customFields.score', 'phones'], TENANT, encryptor);

    expect(record).toEqual(before);
    expect(isFieldCiphertext(sealed.address)).toBe(true);
    expect(isFieldCiphertext(sealed.phones)).toBe(true);
    expect(isFieldCiphertext(sealed.customFields.nationalId)).toBe(true);
    expect(isFieldCiphertext(sealed.customFields.score)).toBe(true);
    expect(sealed.customFields.medicalNotes).toBe(before.customFields.medicalNotes);
    expect(sealed.customFields.region).toBe('east');
    expect(sealed.name).toBe('Zhang Wei');
    expect(JSON.stringify(sealed)).not.toContain('110101199003074514');
    expect(JSON.stringify(sealed)).not.toContain('Shanghai');
  });

  it('opens to exactly the original values and types (objects, arrays, numbers, booleans, JSON-looking strings)', async () => {
    const paths = ['address', 'phones', 'customFields.nationalId', 'customFields.medicalNotes', 'customFields.score', 'customFields.vip'];
    const record = { ...customer(), customFields: { ...customer().customFields, nationalId: '{"looks":"like json"}' } };
    const sealed = await sealFields(record, paths, TENANT, encryptor);
    await expect(openFields(sealed, paths, TENANT, encryptor)).resolves.toEqual(record);
  });

  it('skips absent paths and paths through non-objects', async () => {
    const record = { name: 'x', customFields: {} as Record<string, unknown>, address: undefined };
    const sealed = await sealFields(record, ['address', 'customFields.nationalId', 'name.first', 'nothing'], TENANT, encryptor);
    expect(sealed).toEqual(record);
    expect(Object.keys(sealed.customFields)).toEqual([]);
  });

  it('does not seal twice, and keeps plaintext written before the field became sensitive on open', async () => {
    const once = await sealFields(customer(), ['address'], TENANT, encryptor);
    const twice = await sealFields(once, ['address'], TENANT, encryptor);
    expect(twice.address).toBe(once.address);

    // Input that merely looks sealed (typed by a user, or moved from another field) is sealed like any value.
    const typed = { ...customer(), address: 'enc:v1:AAAA', customFields: { ...customer().customFields, nationalId: once.address } };
    const sealedTyped = await sealFields(typed, ['address', 'customFields.nationalId'], TENANT, encryptor);
    expect(sealedTyped.address).not.toBe('enc:v1:AAAA');
    expect(sealedTyped.customFields.nationalId).not.toBe(once.address);
    await expect(openFields(sealedTyped, ['address', 'customFields.nationalId'], TENANT, encryptor)).resolves.toEqual(typed);

    const legacy = customer();
    await expect(openFields(legacy, ['address', 'customFields.nationalId'], TENANT, encryptor)).resolves.toEqual(legacy);
  });

  it('refuses a sealed value moved to another field or opened for another tenant', async () => {
    const sealed = await sealFields(customer(), ['customFields.nationalId'], TENANT, encryptor);
    const moved = { ...sealed, customFields: { ...sealed.customFields, medicalNotes: sealed.customFields.nationalId } };
    await expect(openFields(moved, ['customFields.medicalNotes'], TENANT, encryptor)).rejects.toBeInstanceOf(FieldDecryptionError);
    await expect(openFields(sealed, ['customFields.nationalId'], 'globex', encryptor)).rejects.toBeInstanceOf(FieldDecryptionError);
  });

  it('validates paths', async () => {
    for (const bad of ['', 'a.b.c', 'custom-fields.x', '__proto__', 'customFields.__proto__', 'customFields.', '.x', 'a b']) {
      await expect(sealFields(customer(), [bad], TENANT, encryptor)).rejects.toThrow(/Invalid sensitive field path/);
      expect(() => maskFields(customer(), [bad])).toThrow(/Invalid sensitive field path/);
    }
  });
});

describe('maskFields', () => {
  it('omits the paths from a copy', () => {
    const record = customer();
    const masked = maskFields(record, ['address', 'customFields.nationalId', 'customFields.absent']);
    expect('address' in masked).toBe(false);
    expect('nationalId' in masked.customFields).toBe(false);
    expect(masked.customFields.medicalNotes).toBe(record.customFields.medicalNotes);
    expect(record.address).toBeDefined();
    expect(record.customFields.nationalId).toBeDefined();
  });
});

describe('SecuritySettingsInput', () => {
  it('accepts field and customFields.<key> paths, de-duplicated and sorted', () => {
    expect(SecuritySettingsInput.parse({ sensitiveFields: ['customFields.nationalId', 'address', 'address'] })).toEqual({
      sensitiveFields: ['address', 'customFields.nationalId'],
    });
  });

  it('refuses malformed paths and fields the CRM needs in clear (keys, indexes, versioning)', () => {
    for (const bad of ['a.b.c', 'x-y', 'name', 'tags', 'ownerId', 'customFields', 'version', 'id']) {
      expect(SecuritySettingsInput.safeParse({ sensitiveFields: [bad] }).success, bad).toBe(false);
    }
    expect(SecuritySettingsInput.safeParse({ sensitiveFields: [], extra: 1 }).success).toBe(false);
  });
});
