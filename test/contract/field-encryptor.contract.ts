/**
 * The field-encryptor contract: one suite, run on the local adapter (key file) and the KMS adapter
 * (fake KMS behind a mocked KMSClient). Both must write the same envelope and refuse any ciphertext
 * that was altered or belongs to another tenant or field.
 */
import { describe, expect, it } from 'vitest';
import { FIELD_CIPHERTEXT_PREFIX, FieldDecryptionError, type FieldEncryptor } from '@crm/core';

export interface FieldEncryptorFixture {
  encryptor: FieldEncryptor;
  /** A second, independent encryptor over the same key custody (another container / process). */
  sibling: () => FieldEncryptor;
}

const TENANT = '01J9ZK5V3M8Q7W2X4Y6Z8A0B1C';
const OTHER_TENANT = 'acme-corp';

/** The SDK message inside a ciphertext string. */
export function messageBytes(ciphertext: string): Buffer {
  return Buffer.from(ciphertext.slice(FIELD_CIPHERTEXT_PREFIX.length), 'base64');
}

function withMessage(bytes: Buffer): string {
  return `${FIELD_CIPHERTEXT_PREFIX}${bytes.toString('base64')}`;
}

export function describeFieldEncryptorContract(name: string, setup: () => FieldEncryptorFixture): void {
  describe(`FieldEncryptor contract: ${name}`, () => {
    it('round-trips a value and writes a self-describing enc:v1 base64 string', async () => {
      const { encryptor } = setup();
      const sealed = await encryptor.encrypt(TENANT, 'customFields.nationalId', '110101199003074514');
      expect(sealed).toMatch(/^enc:v1:[A-Za-z0-9+/]+={0,2}$/);
      expect(sealed).not.toContain('110101199003074514');
      // AWS Encryption SDK message format v2 (0x02), committing AES-256-GCM suite 0x0478.
      expect(messageBytes(sealed).subarray(0, 3)).toEqual(Buffer.from([0x02, 0x04, 0x78]));
      await expect(encryptor.decrypt(TENANT, 'customFields.nationalId', sealed)).resolves.toBe('110101199003074514');
    });

    it('uses a fresh IV per value: the same plaintext never gives the same ciphertext', async () => {
      const { encryptor } = setup();
      const a = await encryptor.encrypt(TENANT, 'address', 'same');
      const b = await encryptor.encrypt(TENANT, 'address', 'same');
      expect(a).not.toBe(b);
    });

    it('decrypts in another encryptor instance over the same key (another container)', async () => {
      const { encryptor, sibling } = setup();
      const sealed = await encryptor.encrypt(TENANT, 'address', '{"city":"Berlin"}');
      await expect(sibling().decrypt(TENANT, 'address', sealed)).resolves.toBe('{"city":"Berlin"}');
    });

    it('round-trips unicode, the empty string and a large value', async () => {
      const { encryptor } = setup();
      const values = ['', '张伟 — Ärztliche Notiz 🩺 \u0000 \u{1F600}', 'x'.repeat(200_000), '病历'.repeat(20_000)];
      for (const value of values) {
        const sealed = await encryptor.encrypt(TENANT, 'customFields.medicalNotes', value);
        expect(await encryptor.decrypt(TENANT, 'customFields.medicalNotes', sealed)).toBe(value);
      }
    });

    it('refuses a ciphertext of another tenant', async () => {
      const { encryptor } = setup();
      const sealed = await encryptor.encrypt(TENANT, 'address', 'secret');
      await expect(encryptor.decrypt(OTHER_TENANT, 'address', sealed)).rejects.toBeInstanceOf(FieldDecryptionError);
    });

    it('refuses a ciphertext of another field', async () => {
      const { encryptor } = setup();
      const sealed = await encryptor.encrypt(TENANT, 'customFields.nationalId', 'secret');
      await expect(encryptor.decrypt(TENANT, 'customFields.medicalNotes', sealed)).rejects.toBeInstanceOf(FieldDecryptionError);
    });

    it('refuses a ciphertext with any single byte flipped', async () => {
      const { encryptor } = setup();
      const sealed = await encryptor.encrypt(TENANT, 'address', 'tamper me');
      const bytes = messageBytes(sealed);
      const accepted: number[] = [];
      for (let i = 0; i < bytes.length; i++) {
        const copy = Buffer.from(bytes);
        copy[i] = copy[i]! ^ 0x01;
        try {
          await encryptor.decrypt(TENANT, 'address', withMessage(copy));
          accepted.push(i);
        } catch (error) {
          expect(error).toBeInstanceOf(FieldDecryptionError);
        }
      }
      expect(accepted).toEqual([]);
    });

    it('refuses truncated messages, other prefixes and non-base64 text', async () => {
      const { encryptor } = setup();
      const sealed = await encryptor.encrypt(TENANT, 'address', 'secret');
      const bytes = messageBytes(sealed);
      const bad = [
        withMessage(bytes.subarray(0, bytes.length - 1)),
        withMessage(bytes.subarray(0, 40)),
        sealed.replace('enc:v1:', 'enc:v2:'),
        'plain text',
        'enc:v1:not*base64!',
        'enc:v1:',
      ];
      for (const value of bad) {
        await expect(encryptor.decrypt(TENANT, 'address', value)).rejects.toBeInstanceOf(FieldDecryptionError);
      }
    });
  });
}
