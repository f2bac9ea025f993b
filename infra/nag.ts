import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag AwsSolutions finding on a construct (and everything below it).
 * The namespaced id lets CDK's validation framework do the suppression, so every acknowledged
 * finding is still listed with its reason under `suppressedViolations` in validation-report.json
 * (a plain `AwsSolutions-X` id makes cdk-nag drop the finding without a trace).
 *
 * @param rule rule id without the pack prefix, e.g. `S1` or `IAM5[Resource::*]`
 */
export function acknowledgeNagRule(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}
