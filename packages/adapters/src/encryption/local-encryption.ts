/** `@crm/adapters/local-encryption`: the local field encryptor (key file in the data folder); no KMS client. */
export { createLocalFieldEncryptor, loadOrCreateFieldKey, localFieldKeyPath, LOCAL_KEY_NAME, LOCAL_KEY_NAMESPACE } from './local-field-encryptor';
export { FIELD_ALGORITHM_SUITE, FIELD_CONTEXT_KEYS, MAX_FIELD_PLAINTEXT_BYTES, fieldEncryptionContext } from './envelope-field-encryptor';
