import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { FieldDecryptionError } from '@crm/core';
import { createKmsFieldEncryptor } from '@crm/adapters/kms-encryption';
import { createLocalFieldEncryptor } from '@crm/adapters/local-encryption';
import { FAKE_KEY_ARN, FAKE_REGION, FakeKms } from '../support/fake-kms';
import { describeFieldEncryptorContract, messageBytes } from './field-encryptor.contract';

describeFieldEncryptorContract('KMS (fake KMS behind a mocked KMSClient)', () => {
  const kms = new FakeKms();
  return {
    encryptor: createKmsFieldEncryptor({ keyArn: FAKE_KEY_ARN, region: FAKE_REGION, client: kms.client().client }),
    sibling: () => createKmsFieldEncryptor({ keyArn: FAKE_KEY_ARN, region: FAKE_REGION, client: kms.client().client }),
  };
});

describe('KMS field encryptor', () => {
  it('asks KMS for a 256-bit data key under the field key, with tenant and field as encryption context', async () => {
    const kms = new FakeKms();
    const { client, mock } = kms.client();
    const encryptor = createKmsFieldEncryptor({ keyArn: FAKE_KEY_ARN, region: FAKE_REGION, client });

    const sealed = await encryptor.encrypt('acme', 'customFields.nationalId', 'secret');

    const calls = mock.commandCalls(GenerateDataKeyCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      KeyId: FAKE_KEY_ARN,
      NumberOfBytes: 32,
      EncryptionContext: { tenantId: 'acme', field: 'customFields.nationalId' },
      GrantTokens: undefined,
    });
    // The wrapped data key in the message names the KMS key.
    expect(messageBytes(sealed).toString('latin1')).toContain(FAKE_KEY_ARN);

    // Another container (no cache) unwraps the data key with KMS Decrypt, same context.
    const reader = kms.client();
    await expect(
      createKmsFieldEncryptor({ keyArn: FAKE_KEY_ARN, region: FAKE_REGION, client: reader.client }).decrypt('acme', 'customFields.nationalId', sealed),
    ).resolves.toBe('secret');
    const decrypts = reader.mock.commandCalls(DecryptCommand);
    expect(decrypts).toHaveLength(1);
    expect(decrypts[0]!.args[0].input).toMatchObject({
      KeyId: FAKE_KEY_ARN,
      EncryptionContext: { tenantId: 'acme', field: 'customFields.nationalId' },
    });
  });

  it('caches data keys per tenant and field: one GenerateDataKey for a burst, a new one per context', async () => {
    const { client, mock } = new FakeKms().client();
    const encryptor = createKmsFieldEncryptor({ keyArn: FAKE_KEY_ARN, region: FAKE_REGION, client });
    const sealed: string[] = [];
    for (let i = 0; i < 20; i++) sealed.push(await encryptor.encrypt('acme', 'address', `value ${i}`));
    expect(mock.commandCalls(GenerateDataKeyCommand)).toHaveLength(1);

    await encryptor.encrypt('acme', 'customFields.nationalId', 'x');
    await encryptor.encrypt('globex', 'address', 'x');
    expect(mock.commandCalls(GenerateDataKeyCommand)).toHaveLength(3);

    // Reading the burst back costs at most one KMS Decrypt (same wrapped data key).
    for (let i = 0; i < 20; i++) expect(await encryptor.decrypt('acme', 'address', sealed[i]!)).toBe(`value ${i}`);
    expect(mock.commandCalls(DecryptCommand).length).toBeLessThanOrEqual(1);
  });

  it('stops using a cached data key after the message limit', async () => {
    const { client, mock } = new FakeKms().client();
    const encryptor = createKmsFieldEncryptor({ keyArn: FAKE_KEY_ARN, region: FAKE_REGION, client, cache: { maxMessagesEncrypted: 3 } });
    for (let i = 0; i < 7; i++) await encryptor.encrypt('acme', 'address', 'v');
    expect(mock.commandCalls(GenerateDataKeyCommand)).toHaveLength(3);
  });

  it('cannot decrypt with another KMS key, and the local adapter cannot read a KMS value', async () => {
    const sealed = await createKmsFieldEncryptor({ keyArn: FAKE_KEY_ARN, region: FAKE_REGION, client: new FakeKms().client().client }).encrypt('acme', 'address', 's');
    const otherKey = createKmsFieldEncryptor({ keyArn: FAKE_KEY_ARN, region: FAKE_REGION, client: new FakeKms().client().client });
    await expect(otherKey.decrypt('acme', 'address', sealed)).rejects.toBeInstanceOf(FieldDecryptionError);
    const { mkdtempSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync(`${(await import('node:os')).tmpdir()}/crm-field-`);
    try {
      await expect(createLocalFieldEncryptor(dir).decrypt('acme', 'address', sealed)).rejects.toBeInstanceOf(FieldDecryptionError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails fast on a key that is not an ARN or lives in another region', () => {
    expect(() => createKmsFieldEncryptor({ keyArn: 'alias/crm-fields', region: FAKE_REGION })).toThrow(/KMS key ARN/);
    expect(() => createKmsFieldEncryptor({ keyArn: FAKE_KEY_ARN, region: 'us-east-1' })).toThrow(/eu-central-1/);
  });
});
