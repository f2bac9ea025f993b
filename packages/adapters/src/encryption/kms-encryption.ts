/** `@crm/adapters/kms-encryption`: the AWS field encryptor (KMS-wrapped data keys). */
export { createKmsFieldEncryptor, FIELD_KEY_CACHE_LIMITS, type KmsFieldEncryptorOptions } from './kms-field-encryptor';
export { FIELD_ALGORITHM_SUITE, FIELD_CONTEXT_KEYS, MAX_FIELD_PLAINTEXT_BYTES, fieldEncryptionContext } from './envelope-field-encryptor';
