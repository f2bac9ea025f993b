/**
 * `npm run test:synth`: the real `cdk synth` (bundling and cdk-nag included, offline, no
 * credentials) into a temporary cloud assembly, then checks what unit tests cannot:
 * - cdk-nag (and any other validation plugin) reports no unacknowledged error;
 * - every manifest entry's function ships a real bundle with an `index.mjs`;
 * - a function with native packages runs on x86_64 and its bundle loads them on its own (no
 *   repository node_modules, no HOME, extensions never downloaded) and writes ZSTD Parquet.
 * Prints a one-line summary; exits non-zero on any failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { manifest, type ManifestEntry } from '@crm/manifest';
import { EMBEDDED_DUCKDB_CONFIG } from '@crm/adapters/local-lake';
import { MANIFEST_ENTRY_TAG } from '../infra/constructs/crm-function';

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    violations: Array<{ ruleName: string; description: string; severity?: string; violatingConstructs?: Array<{ constructPath?: string }> }>;
    suppressedViolations?: unknown[];
  }>;
}

interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
}

/** Unacknowledged error findings, and how many findings were acknowledged (with a reason). */
function checkValidationReport(outdir: string): { failures: string[]; acknowledged: number } {
  const reportFile = path.join(outdir, 'validation-report.json');
  if (!existsSync(reportFile)) return { failures: ['validation-report.json is missing: did CDK_VALIDATION=false leak in?'], acknowledged: 0 };
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ValidationReport;
  const failures: string[] = [];
  if (!report.pluginReports.some((plugin) => plugin.pluginName === 'AwsSolutions')) {
    failures.push('validation-report.json has no AwsSolutions report: cdk-nag did not run');
  }
  for (const plugin of report.pluginReports) {
    for (const violation of plugin.violations) {
      if (violation.severity !== 'error' && violation.severity !== 'fatal') continue;
      const where = (violation.violatingConstructs ?? []).map((construct) => construct.constructPath).join(', ');
      failures.push(`[${plugin.pluginName}] ${violation.ruleName}: ${violation.description} at ${where}`);
    }
  }
  const acknowledged = report.pluginReports.reduce((sum, plugin) => sum + (plugin.suppressedViolations?.length ?? 0), 0);
  return { failures, acknowledged };
}

/** Every manifest entry must have a function whose code asset holds an `index.mjs`. */
function checkBundles(outdir: string): { failures: string[]; bundled: number; stackSizes: string[] } {
  const failures: string[] = [];
  const bundled = new Set<string>();
  const stackSizes: string[] = [];
  for (const file of readdirSync(outdir).filter((name) => name.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) as CfnTemplate;
    const resources = Object.values(template.Resources);
    stackSizes.push(`${file.replace('.template.json', '')}=${resources.length}`);
    for (const resource of resources) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const tags = (resource.Properties?.Tags ?? []) as Array<{ Key: string; Value: string }>;
      const entryName = tags.find((tag) => tag.Key === MANIFEST_ENTRY_TAG)?.Value;
      if (!entryName) continue;
      // Asset metadata points at the staged bundle folder inside the cloud assembly.
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (typeof assetPath !== 'string') failures.push(`${entryName}: no code asset (placeholder code instead of a bundle?)`);
      else if (!existsSync(path.join(outdir, assetPath, 'index.mjs'))) failures.push(`${entryName}: bundle ${assetPath} has no index.mjs`);
      else {
        bundled.add(entryName);
        const entry = manifest.find((e) => e.name === entryName);
        if (entry?.nativePackages?.length) failures.push(...checkNativeBundle(entry, path.join(outdir, assetPath), resource.Properties?.Architectures));
      }
    }
  }
  for (const entry of manifest) {
    if (!bundled.has(entry.name)) failures.push(`${entry.name}: no bundled function in the cloud assembly`);
  }
  return { failures, bundled: bundled.size, stackSizes };
}

/** Emulates Lambda: a bare environment, the bundle folder as the only place modules come from. */
const NATIVE_SMOKE = `
const { DuckDBInstance } = await import('@duckdb/node-api');
const { mkdtempSync, writeFileSync } = await import('node:fs');
const dir = mkdtempSync('/tmp/crm-native-smoke-');
writeFileSync(dir + '/in.jsonl', '{"id":"a","amount":1.5}\\n');
const db = await DuckDBInstance.create(':memory:', JSON.parse(process.argv[1]));
const c = await db.connect();
await c.run("COPY (SELECT * FROM read_json('" + dir + "/in.jsonl', format = 'newline_delimited', columns = {'id': 'VARCHAR', 'amount': 'DECIMAL(18,2)'})) TO '" + dir + "/out.parquet' (FORMAT parquet, COMPRESSION zstd)");
const rows = (await c.runAndReadAll("SELECT id, amount::VARCHAR AS amount FROM read_parquet('" + dir + "/out.parquet')")).getRowObjectsJson();
if (JSON.stringify(rows) !== '[{"id":"a","amount":"1.50"}]') throw new Error('unexpected rows ' + JSON.stringify(rows));
`;

/** A bundle with native packages: x86_64, and DuckDB loads from the bundle alone and writes Parquet. */
function checkNativeBundle(entry: ManifestEntry, folder: string, architectures: unknown): string[] {
  const failures: string[] = [];
  if (JSON.stringify(architectures) !== '["x86_64"]') failures.push(`${entry.name}: ships native packages but runs on ${JSON.stringify(architectures)}, not x86_64`);
  const smoke = spawnSync(process.execPath, ['--input-type=module', '--eval', NATIVE_SMOKE, JSON.stringify(EMBEDDED_DUCKDB_CONFIG)], {
    cwd: folder, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  if (smoke.status !== 0) failures.push(`${entry.name}: its bundle cannot load DuckDB and write Parquet on its own:\n${smoke.stderr}`);
  return failures;
}

function main(): number {
  const started = Date.now();
  const outdir = mkdtempSync(path.join(tmpdir(), 'crm-synth-'));
  // No `--all`: synth always synthesizes (and bundles) every stack; the flag is not a synth option.
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  if (synth.status !== 0) {
    console.error(`check-synth FAILED: cdk synth exited with ${synth.status} (output in ${outdir})\n${synth.stdout}\n${synth.stderr}`);
    return 1;
  }

  const validation = checkValidationReport(outdir);
  const bundles = checkBundles(outdir);
  const failures = [...validation.failures, ...bundles.failures];
  if (failures.length > 0) {
    console.error(`check-synth FAILED (cloud assembly kept in ${outdir}):\n- ${failures.join('\n- ')}`);
    return 1;
  }
  rmSync(outdir, { recursive: true, force: true });
  console.log(
    `check-synth OK in ${((Date.now() - started) / 1000).toFixed(1)} s: ${bundles.stackSizes.length} stacks, ` +
      `${bundles.bundled}/${manifest.length} functions bundled, cdk-nag 0 unacknowledged errors ` +
      `(${validation.acknowledged} acknowledged with reasons); resources: ${bundles.stackSizes.join(' ')}`,
  );
  return 0;
}

process.exit(main());
