/**
 * Field-encryptor port: application-level envelope encryption of single field values.
 *
 * Each value is encrypted under a fresh (or briefly cached) AES-256-GCM data key that is itself
 * wrapped by a key the adapter holds: a KMS key in AWS, a local key file on one machine. Both
 * adapters write the same self-describing ciphertext string, `enc:v1:<base64 message>`.
 *
 * The encryption context binds the tenant and the field path into the authenticated data, so a
 * ciphertext copied into another tenant's record or another field fails to decrypt.
 */
export interface FieldEncryptor {
  /** Encrypts a UTF-8 string for `field` of `tenantId`; answers `enc:v1:<base64>`. */
  encrypt(tenantId: string, field: string, plaintext: string): Promise<string>;
  /**
   * Decrypts a string produced by `encrypt` with the same tenant and field. Throws
   * FieldDecryptionError when the value is not such a ciphertext, was altered, or was made for
   * another tenant or field.
   */
  decrypt(tenantId: string, field: string, ciphertext: string): Promise<string>;
}

/** Prefix of every field ciphertext (format version 1: an AWS Encryption SDK message in base64). */
export const FIELD_CIPHERTEXT_PREFIX = 'enc:v1:';

/** Whether a stored value is a field ciphertext (by its prefix; decryption still authenticates it). */
export function isFieldCiphertext(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(FIELD_CIPHERTEXT_PREFIX);
}

/**
 * A ciphertext could not be decrypted. Deliberately unspecific (no "wrong tenant" vs "tampered"):
 * the caller cannot act on the difference and an attacker should not learn it. Not an AppError,
 * so the HTTP layer answers a generic 500 without internals.
 */
export class FieldDecryptionError extends Error {
  override readonly name = 'FieldDecryptionError';
  constructor(message = 'The field value could not be decrypted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The encryptor of a function whose manifest entry lacks `fieldEncryption` (no key, no grant):
 * fails loudly instead of writing a sensitive value in clear.
 */
export const fieldEncryptionUnavailable: FieldEncryptor = {
  encrypt: () => Promise.reject(new Error('Field encryption is not configured for this function: set fieldEncryption on its manifest entry')),
  decrypt: () => Promise.reject(new Error('Field encryption is not configured for this function: set fieldEncryption on its manifest entry')),
};
