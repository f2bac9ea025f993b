/**
 * AWS field encryptor: data keys come from KMS GenerateDataKey under the field-encryption key and
 * are unwrapped with KMS Decrypt; the encryption context (tenant, field) travels with both calls,
 * so CloudTrail shows which tenant's field was touched and IAM can require it.
 *
 * A caching materials manager keeps each (tenant, field) data key for a short while, so a burst of
 * writes or a list page costs one KMS call per distinct data key instead of one per value.
 */
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  NodeCachingMaterialsManager,
  getLocalCryptographicMaterialsCache,
} from '@aws-crypto/caching-materials-manager-node';
import { KmsKeyringNode, type KmsNodeClientSupplier } from '@aws-crypto/kms-keyring-node';
import type { FieldEncryptor } from '@crm/core';
import { EnvelopeFieldEncryptor } from './envelope-field-encryptor';

export interface FieldKeyCacheLimits {
  maxAgeMs: number;
  maxMessagesEncrypted: number;
  capacity: number;
}

/** Short-lived cache: bounds how long a plaintext data key stays in memory and how much it protects. */
export const FIELD_KEY_CACHE_LIMITS: Readonly<FieldKeyCacheLimits> = {
  maxAgeMs: 60_000,
  maxMessagesEncrypted: 1_000,
  /** Distinct (tenant, field) data keys held per container. */
  capacity: 200,
};

export interface KmsFieldEncryptorOptions {
  /** Full ARN of the customer managed field-encryption key (env FIELD_KEY_ARN). */
  keyArn: string;
  /** Region of the container; must be the key's region. */
  region: string;
  /** Injected KMS client (one per container; tests pass a mocked or fake one). */
  client?: KMSClient;
  cache?: Partial<FieldKeyCacheLimits>;
}

/** The client interface the keyring calls (generateDataKey / encrypt / decrypt). */
type EsdkKmsClient = Exclude<ReturnType<KmsNodeClientSupplier>, false>;

const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;

/** FieldEncryptor on KMS; create once per container. */
export function createKmsFieldEncryptor(options: KmsFieldEncryptorOptions): FieldEncryptor {
  const match = KEY_ARN.exec(options.keyArn);
  if (!match) throw new Error(`FIELD_KEY_ARN must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), got ${options.keyArn}`);
  // The keyring asks the client provider for the key's region; a client of another region would fail on every call.
  if (match[1] !== options.region) throw new Error(`The field key is in ${match[1]} but the function runs in ${options.region}`);

  const client = options.client ?? new KMSClient({ region: options.region });
  // The SDK's keyring wants the aggregated `KMS` class; a three-command facade over the modular
  // client keeps the bundle small and lets tests mock `KMSClient.send` (aws-sdk-client-mock).
  const kms: EsdkKmsClient = {
    generateDataKey: (input) => client.send(new GenerateDataKeyCommand(input)),
    encrypt: (input) => client.send(new EncryptCommand(input)),
    decrypt: (input) => client.send(new DecryptCommand(input)),
  };
  const keyring = new KmsKeyringNode({
    generatorKeyId: options.keyArn,
    // Strict: the keyring only ever tries this one key on decrypt.
    keyIds: [],
    clientProvider: () => kms,
  });
  const limits = { ...FIELD_KEY_CACHE_LIMITS, ...options.cache };
  const materials = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(limits.capacity),
    partition: `crm-field:${options.keyArn}`,
    maxAge: limits.maxAgeMs,
    maxMessagesEncrypted: limits.maxMessagesEncrypted,
  });
  return new EnvelopeFieldEncryptor(materials);
}
