import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { manifest, type HttpRouteEntry, type ManifestEntry } from '@crm/manifest';
import { assertNoForbiddenCode } from '../../infra/bundling/bundle-functions';
import { assertManifestFitsInfra } from '../../infra/crm-app';
import { synthCrm } from './synth-crm';

const output = (inputs: string[], imports: Metafile['outputs'][string]['imports'] = []): Metafile => ({
  inputs: {},
  outputs: {
    'dist/functions/.esbuild/get-customer.mjs': {
      bytes: 1,
      inputs: Object.fromEntries(inputs.map((input) => [input, { bytesInOutput: 1 }])),
      imports,
      exports: [],
    },
  },
});

describe('bundle guard', () => {
  it('accepts AWS SDK and workspace code', () => {
    expect(() => assertNoForbiddenCode(output(['node_modules/@aws-sdk/client-dynamodb/dist-es/index.js', 'packages/core/src/index.ts']))).not.toThrow();
  });

  it.each([
    'node_modules/better-sqlite3/lib/index.js',
    'node_modules/@asteasolutions/zod-to-openapi/dist/index.mjs',
    'packages/api-spec/src/openapi-document.ts',
    'node_modules/@duckdb/node-api/lib/index.js',
  ])('fails the synth when a bundle contains %s', (input) => {
    expect(() => assertNoForbiddenCode(output([input]))).toThrow(/forbidden code/);
  });

  it('fails on a static import of a local-only package but allows a lazy one', () => {
    expect(() => assertNoForbiddenCode(output([], [{ path: 'better-sqlite3', kind: 'import-statement', external: true }]))).toThrow(/statically imports/);
    expect(() => assertNoForbiddenCode(output([], [{ path: 'better-sqlite3', kind: 'dynamic-import', external: true }]))).not.toThrow();
  });
});

describe('manifest checks', () => {
  const route = manifest.find((entry): entry is HttpRouteEntry => entry.kind === 'http' && entry.auth.type === 'jwt')!;

  it('accepts the real manifest', () => {
    expect(() => assertManifestFitsInfra(manifest)).not.toThrow();
  });

  it.each<[string, ManifestEntry[]]>([
    ['duplicate name', [route, { ...route, path: '/v1/other' }]],
    ['duplicate route', [route, { ...route, name: 'another-name' }]],
    ['unknown scope', [{ ...route, auth: { type: 'jwt', scopes: ['crm/nope'], permission: 'x:y' } }]],
  ])('rejects a manifest with a %s', (problem, entries) => {
    expect(() => assertManifestFitsInfra(entries)).toThrow(new RegExp(problem.split(' ').pop()!));
  });
});

describe('stage configuration', () => {
  it('names every stack after the stage', () => {
    const { templates } = synthCrm({ context: { 'crm:stage': 'prod' } });
    expect([...templates.keys()].sort()).toEqual(['Crm-prod-Analytics', 'Crm-prod-Api', 'Crm-prod-Customers', 'Crm-prod-Identity', 'Crm-prod-Interactions', 'Crm-prod-Platform', 'Crm-prod-Sales', 'Crm-prod-Stateful', 'Crm-prod-Trust', 'Crm-prod-Webhooks']);
  });

  it('rejects a malformed stage name', () => {
    expect(() => synthCrm({ context: { 'crm:stage': 'Prod_1' } })).toThrow(/crm:stage/);
  });
});
