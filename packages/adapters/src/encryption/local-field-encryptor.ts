/**
 * Local field encryptor: the same envelope as in AWS, with the data keys wrapped by a 256-bit AES
 * key kept in `<dataDir>/keys/field-encryption.key` instead of KMS. The key file is created on first
 * start (mode 0600, inside the git-ignored data folder). Losing it makes every sealed local value
 * unreadable, exactly like deleting a KMS key would.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/raw-aes-keyring-node';
import type { FieldEncryptor } from '@crm/core';
import { EnvelopeFieldEncryptor } from './envelope-field-encryptor';

/** Key-provider identity written into every local message (with the key name). */
export const LOCAL_KEY_NAMESPACE = 'crm-local';
export const LOCAL_KEY_NAME = 'field-encryption-v1';

/** Where the wrapping key of a data folder lives. */
export function localFieldKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'field-encryption.key');
}

/**
 * Reads the data folder's wrapping key, generating it on first use. The file holds the 32 key bytes
 * in base64. A key readable by group or others is refused (POSIX), like ssh refuses such keys.
 */
export function loadOrCreateFieldKey(dataDir: string): Uint8Array {
  const file = localFieldKeyPath(dataDir);
  if (!existsSync(file)) {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    try {
      // `wx`: two processes starting at once must not both write (and one overwrite) a key.
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new Error(`${file} is readable by other users; run chmod 600 on it`);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} must hold a base64 256-bit key (found ${key.length} bytes)`);
  // A copy in its own ArrayBuffer: the keyring refuses a slice of Node's shared Buffer pool.
  const isolated = new Uint8Array(key);
  key.fill(0);
  return isolated;
}

/** FieldEncryptor for the local runtime; create once per process. */
export function createLocalFieldEncryptor(dataDir: string): FieldEncryptor {
  const keyring = new RawAesKeyringNode({
    keyNamespace: LOCAL_KEY_NAMESPACE,
    keyName: LOCAL_KEY_NAME,
    unencryptedMasterKey: loadOrCreateFieldKey(dataDir),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  return new EnvelopeFieldEncryptor(keyring);
}
