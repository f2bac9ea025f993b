import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestWithStreamConsumer } from './fixture-manifests';
import { synthCrm } from './synth-crm';

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    violations: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }>;
    suppressedViolations?: Array<{ ruleName: string; reason: string }>;
  }>;
}

/**
 * `npm run test:synth` checks cdk-nag on the real manifest; this covers the paths the real manifest
 * does not use yet (stream consumers, their dead-letter queues) so their suppressions are proven too.
 */
describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error, and every acknowledgement has a reason', () => {
    const { app } = synthCrm({ manifest: manifestWithStreamConsumer, validation: true });
    let synthError: unknown;
    try {
      app.synth();
    } catch (error) {
      synthError = error; // validation errors throw; the report says which
    }
    const report = JSON.parse(readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
    const nag = report.pluginReports.filter((plugin) => plugin.pluginName === 'AwsSolutions');
    const errors = nag.flatMap((plugin) => plugin.violations).filter((violation) => violation.severity === 'error');
    expect(errors.map((violation) => `${violation.ruleName} at ${violation.violatingConstructs.map((c) => c.constructPath).join(', ')}`)).toEqual([]);
    expect(synthError).toBeUndefined();

    const suppressed = nag.flatMap((plugin) => plugin.suppressedViolations ?? []);
    expect(suppressed.map((violation) => violation.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-APIG4', 'AwsSolutions-COG4']),
    );
    for (const violation of suppressed) expect(violation.reason.length, violation.ruleName).toBeGreaterThan(30);
  });
});
