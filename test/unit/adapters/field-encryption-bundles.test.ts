import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../infra/bundling/bundle-functions';

/** Input files of a Lambda-style bundle (same esbuild settings as infra/bundling) of one module. */
async function bundleInputs(source: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    stdin: { contents: source, resolveDir: REPO_ROOT, loader: 'ts' },
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('field-encryption adapter bundles', () => {
  it('the local adapter pulls no KMS or DynamoDB client (no @aws-crypto/client-node umbrella)', async () => {
    const inputs = await bundleInputs("export { createLocalFieldEncryptor } from '@crm/adapters/local-encryption';");
    expect(inputs.some((file) => file.includes('node_modules/@aws-crypto/raw-aes-keyring-node/'))).toBe(true);
    const forbidden = inputs.filter((file) => /node_modules\/(@aws-sdk\/client-kms|@aws-sdk\/client-dynamodb|@aws-crypto\/kms-keyring|@aws-crypto\/branch-keystore)/.test(file));
    expect(forbidden).toEqual([]);
  });

  it('the KMS adapter bundles the modular KMS client and the caching materials manager', async () => {
    const inputs = await bundleInputs("export { createKmsFieldEncryptor } from '@crm/adapters/kms-encryption';");
    expect(inputs.some((file) => file.includes('node_modules/@aws-sdk/client-kms/'))).toBe(true);
    expect(inputs.some((file) => file.includes('node_modules/@aws-crypto/caching-materials-manager-node/'))).toBe(true);
    expect(inputs.some((file) => file.includes('node_modules/@aws-crypto/raw-aes-keyring-node/'))).toBe(false);
  });
});
