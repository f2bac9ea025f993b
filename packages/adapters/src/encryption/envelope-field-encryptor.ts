/**
 * The one envelope format both field-encryptor adapters share: an AWS Encryption SDK message
 * (AES-256-GCM data key, HKDF-SHA512 derivation, key commitment, authenticated header holding the
 * encryption context and the wrapped data key), base64-encoded behind `enc:v1:`. The adapters only
 * differ in who wraps the data key (a KMS key or a local AES-256 key), so a value written by one
 * cannot be told apart from the other's except by the wrapped key's provider id.
 *
 * Imports are per SDK package (not `@aws-crypto/client-node`), so the local adapter does not pull
 * the KMS and DynamoDB clients the umbrella package re-exports.
 */
import { buildDecrypt } from '@aws-crypto/decrypt-node';
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  type KeyringNode,
  type NodeMaterialsManager,
} from '@aws-crypto/material-management-node';
import { FIELD_CIPHERTEXT_PREFIX, FieldDecryptionError, type FieldEncryptor } from '@crm/core';

/**
 * Committing AES-256-GCM suite WITHOUT the ECDSA signature. A signature only helps when some
 * principals may decrypt but must not be able to forge ciphertexts; here every function that
 * decrypts a field also writes it, so signing would add ~200 bytes and one ECDSA sign/verify
 * (about a millisecond) per field value — 300 verifications on a 100-row list page — for nothing.
 */
export const FIELD_ALGORITHM_SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

/** A DynamoDB item holds at most 400 KB; nothing larger can be a field value. */
export const MAX_FIELD_PLAINTEXT_BYTES = 400 * 1024;

/** Encryption-context keys; KMS sees them too (CloudTrail, `kms:EncryptionContext:<key>` conditions). */
export const FIELD_CONTEXT_KEYS = { tenant: 'tenantId', field: 'field' } as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The encryption context of one field of one tenant. */
export function fieldEncryptionContext(tenantId: string, field: string): Record<string, string> {
  if (!tenantId || !field) throw new Error('A field encryption context needs a tenant id and a field path');
  return { [FIELD_CONTEXT_KEYS.tenant]: tenantId, [FIELD_CONTEXT_KEYS.field]: field };
}

// Reject-on-decrypt of non-committing messages, and never more than the one wrapped data key we
// write (a message with thousands of them would make decrypt call KMS thousands of times).
const clientOptions = { commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, maxEncryptedDataKeys: 1 } as const;
const { encrypt } = buildEncrypt(clientOptions);
const { decrypt } = buildDecrypt(clientOptions);

/**
 * FieldEncryptor over a keyring or materials manager (e.g. a caching one). Construct it once per
 * container: the materials manager may hold cached data keys.
 */
export class EnvelopeFieldEncryptor implements FieldEncryptor {
  constructor(private readonly materials: KeyringNode | NodeMaterialsManager) {}

  async encrypt(tenantId: string, field: string, plaintext: string): Promise<string> {
    const data = Buffer.from(plaintext, 'utf8');
    if (data.length > MAX_FIELD_PLAINTEXT_BYTES) throw new Error(`A field value may hold at most ${MAX_FIELD_PLAINTEXT_BYTES} bytes`);
    const { result } = await encrypt(this.materials, data, {
      encryptionContext: fieldEncryptionContext(tenantId, field),
      suiteId: FIELD_ALGORITHM_SUITE,
      // Known length: lets a caching materials manager account bytes per data key.
      plaintextLength: data.length,
    });
    return `${FIELD_CIPHERTEXT_PREFIX}${result.toString('base64')}`;
  }

  async decrypt(tenantId: string, field: string, ciphertext: string): Promise<string> {
    const expected = fieldEncryptionContext(tenantId, field);
    if (!ciphertext.startsWith(FIELD_CIPHERTEXT_PREFIX)) throw new FieldDecryptionError('Not a field ciphertext');
    const encoded = ciphertext.slice(FIELD_CIPHERTEXT_PREFIX.length);
    if (!BASE64.test(encoded)) throw new FieldDecryptionError('Not a field ciphertext');

    let output: Awaited<ReturnType<typeof decrypt>>;
    try {
      output = await decrypt(this.materials, Buffer.from(encoded, 'base64'), { maxBodySize: MAX_FIELD_PLAINTEXT_BYTES });
    } catch (error) {
      throw new FieldDecryptionError(undefined, { cause: error });
    }
    // The SDK authenticates the context stored in the message but cannot know which one we expect:
    // a genuine ciphertext of another tenant or field decrypts, and is refused here.
    const { encryptionContext, suiteId } = output.messageHeader;
    const keys = Object.keys(encryptionContext);
    const matches =
      keys.length === Object.keys(expected).length && keys.every((key) => encryptionContext[key] === expected[key]);
    if (!matches || suiteId !== FIELD_ALGORITHM_SUITE) {
      output.plaintext.fill(0);
      throw new FieldDecryptionError();
    }
    return output.plaintext.toString('utf8');
  }
}
