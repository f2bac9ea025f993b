/**
 * A fake KMS with real cryptography, answering GenerateDataKey / Encrypt / Decrypt for one key the
 * way KMS does: the data key is wrapped with AES-256-GCM under a secret key and the encryption
 * context is the wrap's additional authenticated data, so Decrypt with a different context fails.
 * Plugged into a KMSClient with aws-sdk-client-mock: no network, no credentials.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';

export const FAKE_KEY_ARN = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const FAKE_REGION = 'eu-central-1';

const aad = (context: Record<string, string> | undefined) =>
  Buffer.from(JSON.stringify(Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))), 'utf8');

export class FakeKms {
  private readonly secret = randomBytes(32);
  constructor(readonly keyArn = FAKE_KEY_ARN) {}

  wrap(plaintext: Uint8Array, context: Record<string, string> | undefined): Uint8Array {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.secret, iv).setAAD(aad(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), body]));
  }

  unwrap(blob: Uint8Array, context: Record<string, string> | undefined): Uint8Array {
    const bytes = Buffer.from(blob);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.secret, bytes.subarray(0, 12)).setAAD(aad(context));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]));
    } catch {
      throw new InvalidCiphertextException({ message: 'InvalidCiphertextException', $metadata: {} });
    }
  }

  /** A KMSClient whose every call is answered by this fake; `mock` records the command inputs. */
  client() {
    const client = new KMSClient({ region: FAKE_REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const mock = mockClient(client);
    mock.on(GenerateDataKeyCommand).callsFake((input: GenerateDataKeyCommand['input']) => {
      if (input.KeyId !== this.keyArn) throw new Error(`unknown key ${input.KeyId}`);
      const plaintext = new Uint8Array(randomBytes(input.NumberOfBytes ?? 32));
      return { KeyId: this.keyArn, Plaintext: plaintext, CiphertextBlob: this.wrap(plaintext, input.EncryptionContext) };
    });
    mock.on(EncryptCommand).callsFake((input: EncryptCommand['input']) => ({
      KeyId: this.keyArn,
      CiphertextBlob: this.wrap(input.Plaintext!, input.EncryptionContext),
    }));
    mock.on(DecryptCommand).callsFake((input: DecryptCommand['input']) => {
      if (input.KeyId !== undefined && input.KeyId !== this.keyArn) throw new Error(`unknown key ${input.KeyId}`);
      return { KeyId: this.keyArn, Plaintext: this.unwrap(input.CiphertextBlob!, input.EncryptionContext) };
    });
    return { client, mock };
  }
}
