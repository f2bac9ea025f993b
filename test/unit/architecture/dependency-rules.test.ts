import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifest } from '@crm/manifest';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

describe('dependency rules', () => {
  it('core imports nothing from AWS, adapters, runtimes or the local runtime', () => {
    const offenders = sourceFiles('packages/core/src').flatMap((file) =>
      importsOf(file).filter((i) => /^(@aws-sdk|aws-lambda|@aws-lambda-powertools|@middy|better-sqlite3|@crm\/(adapters|runtime|local-runtime))/.test(i)).map((i) => `${file}: ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('Lambda code never imports the local runtime, SQLite or the OpenAPI generator', () => {
    const lambdaCode = [...sourceFiles('functions'), ...sourceFiles('packages/runtime/src')];
    const offenders = lambdaCode.flatMap((file) =>
      importsOf(file).filter((i) => /^(better-sqlite3|@crm\/(local-runtime|api-spec)|@crm\/adapters\/sqlite|@asteasolutions)/.test(i)).map((i) => `${file}: ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('every manifest entry points at a handler file that exports `handler`, and names are unique', async () => {
    const names = manifest.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of manifest) {
      expect(entry.name).toMatch(/^[a-z][a-z0-9-]+$/);
      const source = readFileSync(entry.entry, 'utf8');
      expect(source, entry.entry).toMatch(/export (const|async function|function) handler\b/);
    }
  });

  it('each jwt handler checks the same permission its manifest entry declares', () => {
    for (const entry of manifest) {
      if (entry.kind !== 'http' || entry.auth.type !== 'jwt') continue;
      const source = readFileSync(entry.entry, 'utf8');
      expect(source.match(/permission: '([^']+)'/)?.[1], entry.name).toBe(entry.auth.permission);
    }
  });

  it('http handlers stay thin (a screen or less)', () => {
    for (const file of sourceFiles('functions').filter((f) => f.endsWith('.handler.ts'))) {
      expect(readFileSync(file, 'utf8').split('\n').length, file).toBeLessThanOrEqual(45);
    }
  });
});
