import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FieldDecryptionError } from '@crm/core';
import { createLocalFieldEncryptor, localFieldKeyPath } from '@crm/adapters/local-encryption';
import { describeFieldEncryptorContract, messageBytes } from './field-encryptor.contract';

const folders: string[] = [];
function dataDir(): string {
  const folder = mkdtempSync(join(tmpdir(), 'crm-field-key-'));
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describeFieldEncryptorContract('local key file', () => {
  const dir = dataDir();
  return { encryptor: createLocalFieldEncryptor(dir), sibling: () => createLocalFieldEncryptor(dir) };
});

describe('local field key file', () => {
  it('is generated on first start as a 0600 file with a 256-bit key, then reused', async () => {
    const dir = dataDir();
    const first = createLocalFieldEncryptor(dir);
    const file = localFieldKeyPath(dir);
    expect(file).toBe(join(dir, 'keys', 'field-encryption.key'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    const content = readFileSync(file, 'utf8');

    const sealed = await first.encrypt('acme', 'address', 'kept');
    const afterRestart = createLocalFieldEncryptor(dir);
    expect(readFileSync(file, 'utf8')).toBe(content);
    await expect(afterRestart.decrypt('acme', 'address', sealed)).resolves.toBe('kept');
  });

  it('names the local key as the wrapping key in the message', async () => {
    const sealed = await createLocalFieldEncryptor(dataDir()).encrypt('acme', 'address', 'x');
    const text = messageBytes(sealed).toString('latin1');
    expect(text).toContain('crm-local');
    expect(text).toContain('field-encryption-v1');
  });

  it('cannot decrypt values of another data folder (another key)', async () => {
    const sealed = await createLocalFieldEncryptor(dataDir()).encrypt('acme', 'address', 'secret');
    await expect(createLocalFieldEncryptor(dataDir()).decrypt('acme', 'address', sealed)).rejects.toBeInstanceOf(FieldDecryptionError);
  });

  it('refuses a key file readable by others, or one that is not a 256-bit key', () => {
    const open = dataDir();
    createLocalFieldEncryptor(open);
    chmodSync(localFieldKeyPath(open), 0o644);
    expect(() => createLocalFieldEncryptor(open)).toThrow(/chmod 600/);

    const short = dataDir();
    createLocalFieldEncryptor(short);
    writeFileSync(localFieldKeyPath(short), Buffer.alloc(16).toString('base64'), { mode: 0o600 });
    expect(() => createLocalFieldEncryptor(short)).toThrow(/256-bit/);
  });
});
