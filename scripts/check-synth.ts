/**
 * `npm run test:synth`: the real `cdk synth` (bundling and cdk-nag included, offline, no
 * credentials) into a temporary cloud assembly, then checks what unit tests cannot:
 * - cdk-nag (and any other validation plugin) reports no unacknowledged error;
 * - every manifest entry's function ships a real bundle with an `index.mjs`.
 * Prints a one-line summary; exits non-zero on any failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { manifest } from '@crm/manifest';
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
      else bundled.add(entryName);
    }
  }
  for (const entry of manifest) {
    if (!bundled.has(entry.name)) failures.push(`${entry.name}: no bundled function in the cloud assembly`);
  }
  return { failures, bundled: bundled.size, stackSizes };
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
