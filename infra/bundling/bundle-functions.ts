import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import type { ManifestEntry, NativePackage } from '@crm/manifest';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Repo-relative folder that receives one sub-folder per manifest entry. */
export const FUNCTIONS_OUTDIR = 'dist/functions';

/**
 * Packages esbuild leaves out (native code): external, and never loaded eagerly on Lambda.
 * better-sqlite3 is local-only; DuckDB is local, or shipped next to the bundle of the entries that
 * declare it in `nativePackages` (see copyNativePackages).
 */
const EXTERNAL_PACKAGES = ['better-sqlite3', '@duckdb/node-api'];

/**
 * The binary package each native package needs on Lambda (Linux x64, glibc); CrmFunction runs
 * entries with native packages on x86_64 to match.
 */
const LAMBDA_BINARIES: Record<NativePackage, string> = { '@duckdb/node-api': '@duckdb/node-bindings-linux-x64' };

/** Code that must never ship in a Lambda bundle (local adapters, build-time OpenAPI generation). */
const FORBIDDEN_INPUTS: Array<{ pattern: RegExp; why: string }> = [
  { pattern: /(^|\/)node_modules\/better-sqlite3\//, why: 'the SQLite adapter is local-only' },
  { pattern: /(^|\/)node_modules\/@duckdb\//, why: 'DuckDB is the local analytics engine' },
  { pattern: /(^|\/)node_modules\/@asteasolutions\/zod-to-openapi\//, why: 'the OpenAPI document is generated at build time' },
  { pattern: /(^|\/)packages\/api-spec\//, why: 'the OpenAPI document is generated at build time' },
];

/**
 * Files produced at build time that manifest entries may list as assets. Generated only when some
 * entry references them, so a manifest without the docs routes needs no OpenAPI package.
 */
const GENERATED_ASSETS: Record<string, () => Promise<string>> = {
  'dist/openapi.json': async () => {
    const { buildOpenApiDocument } = await import('@crm/api-spec');
    return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
  },
};

// Bundled CommonJS dependencies may call `require`, which ESM lacks; the alias avoids clashing
// with a `createRequire` import of the bundled code itself.
const ESM_REQUIRE_BANNER =
  "import { createRequire as __crmCreateRequire } from 'node:module'; const require = __crmCreateRequire(import.meta.url);";

export interface FunctionBundles {
  /** Absolute folder holding `index.mjs` (+ map and assets) of a manifest entry. */
  folderFor(entryName: string): string;
}

export interface BundleOptions {
  manifest: readonly ManifestEntry[];
  repoRoot?: string;
}

/**
 * Bundles every manifest entry in ONE esbuild run (instead of one `NodejsFunction` build per
 * function) and lays out `dist/functions/<entry name>/index.mjs` for `Code.fromAsset`.
 */
export async function bundleFunctions(options: BundleOptions): Promise<FunctionBundles> {
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const { manifest } = options;
  const outdir = path.join(repoRoot, FUNCTIONS_OUTDIR);
  const buildDir = path.join(outdir, '.esbuild');

  assertEntriesExist(repoRoot, manifest);
  await generateReferencedAssets(repoRoot, manifest);

  // Entries may share a handler file (e.g. the docs page and its assets); build each file once.
  const handlerFiles = [...new Set(manifest.map((entry) => entry.entry))];
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: handlerFiles.map((file) => ({ in: file, out: outputStem(file) })),
    outdir: buildDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // ESM builds of dependencies (AWS SDK v3 included) tree-shake better than their CommonJS builds.
    mainFields: ['module', 'main'],
    external: EXTERNAL_PACKAGES,
    banner: { js: ESM_REQUIRE_BANNER },
    sourcemap: true,
    // Stack traces need names and positions only; embedding the sources would triple the upload.
    sourcesContent: false,
    minify: true,
    metafile: true,
    logLevel: 'error',
  });
  assertNoForbiddenCode(result.metafile);

  // The build folder sits at the same depth as the entry folders, so the maps' relative
  // `sources` stay valid after the move.
  const folders = new Map<string, string>();
  for (const entry of manifest) {
    const folder = path.join(outdir, entry.name);
    mkdirSync(folder, { recursive: true });
    const built = path.join(buildDir, `${outputStem(entry.entry)}.mjs`);
    const code = readFileSync(built, 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, '//# sourceMappingURL=index.mjs.map\n');
    writeFileSync(path.join(folder, 'index.mjs'), code);
    cpSync(`${built}.map`, path.join(folder, 'index.mjs.map'));
    for (const asset of entry.assets ?? []) {
      const source = path.join(repoRoot, asset.from);
      if (!existsSync(source)) throw new Error(`Asset ${asset.from} of ${entry.name} does not exist`);
      cpSync(source, path.join(folder, asset.to));
    }
    copyNativePackages(repoRoot, entry, folder);
    folders.set(entry.name, folder);
  }
  rmSync(buildDir, { recursive: true, force: true });

  return {
    folderFor(entryName) {
      const folder = folders.get(entryName);
      if (!folder) throw new Error(`No bundle for manifest entry ${entryName}`);
      return folder;
    },
  };
}

/**
 * Copies each of the entry's native packages, with the dependencies installed for this machine
 * (optional ones of other platforms are not), into `<folder>/node_modules`, where the bundle's
 * dynamic `import()` finds them at run time. Fails when the Lambda binary is not installed (npm
 * installs only the build machine's own; synthesize on Linux x64).
 */
function copyNativePackages(repoRoot: string, entry: ManifestEntry, folder: string): void {
  for (const name of entry.nativePackages ?? []) {
    const binary = LAMBDA_BINARIES[name];
    if (!existsSync(path.join(repoRoot, 'node_modules', binary, 'package.json'))) {
      throw new Error(`${entry.name} ships ${name}, but its Lambda binary ${binary} is not installed: synthesize on Linux x64`);
    }
    for (const dependency of installedDependencyClosure(repoRoot, name)) {
      cpSync(path.join(repoRoot, 'node_modules', dependency), path.join(folder, 'node_modules', dependency), { recursive: true, dereference: true });
    }
  }
}

/** `root` and every (optional) dependency of it installed at the top of node_modules. */
function installedDependencyClosure(repoRoot: string, root: string): string[] {
  const found = new Set<string>();
  const pending: Array<{ name: string; optional: boolean }> = [{ name: root, optional: false }];
  while (pending.length > 0) {
    const { name, optional } = pending.pop()!;
    if (found.has(name)) continue;
    const packageFile = path.join(repoRoot, 'node_modules', name, 'package.json');
    if (!existsSync(packageFile)) {
      if (optional) continue;
      throw new Error(`${name} (needed by native package ${root}) is not installed at the top of node_modules`);
    }
    found.add(name);
    const manifest = JSON.parse(readFileSync(packageFile, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) pending.push({ name: dependency, optional: false });
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) pending.push({ name: dependency, optional: true });
  }
  return [...found].sort();
}

/** `functions/customers/get-customer.handler.ts` → `functions__customers__get-customer.handler`. */
function outputStem(handlerFile: string): string {
  return handlerFile.replace(/\.[cm]?tsx?$|\.[cm]?js$/, '').replaceAll('/', '__');
}

function assertEntriesExist(repoRoot: string, manifest: readonly ManifestEntry[]): void {
  const missing = manifest.filter((entry) => !existsSync(path.join(repoRoot, entry.entry)));
  if (missing.length > 0) {
    throw new Error(`Manifest entries without a handler file: ${missing.map((e) => `${e.name} (${e.entry})`).join(', ')}`);
  }
}

async function generateReferencedAssets(repoRoot: string, manifest: readonly ManifestEntry[]): Promise<void> {
  const referenced = new Set(manifest.flatMap((entry) => (entry.assets ?? []).map((asset) => asset.from)));
  for (const [file, generate] of Object.entries(GENERATED_ASSETS)) {
    if (!referenced.has(file)) continue;
    const target = path.join(repoRoot, file);
    mkdirSync(path.dirname(target), { recursive: true });
    // Write-then-rename so a concurrent reader never sees half a document.
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, await generate());
    renameSync(temporary, target);
  }
}

/** Fails the synth when a bundle carries local-only or build-time code. */
export function assertNoForbiddenCode(metafile: Metafile): void {
  const problems: string[] = [];
  for (const [output, meta] of Object.entries(metafile.outputs)) {
    if (!output.endsWith('.mjs')) continue;
    for (const input of Object.keys(meta.inputs)) {
      const rule = FORBIDDEN_INPUTS.find(({ pattern }) => pattern.test(input));
      if (rule) problems.push(`${output} contains ${input} (${rule.why})`);
    }
    for (const imported of meta.imports) {
      // A static import of an external package would crash the cold start of every function that
      // does not ship it; a dynamic import only runs where the package is there (local adapters,
      // or an entry's nativePackages).
      if (imported.external && imported.kind === 'import-statement' && EXTERNAL_PACKAGES.includes(imported.path)) {
        problems.push(`${output} statically imports ${imported.path}, which is not deployed to Lambda (load it with import())`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`Lambda bundles contain forbidden code:\n  ${problems.join('\n  ')}`);
}
