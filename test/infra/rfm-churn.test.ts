import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { synthAnalyticsTemplates } from './analytics-templates';
import { resourcesOf, tagOf } from './synth-crm';

/** The daily RFM and churn jobs query the lake (and list its bucket for the tenants) but may not write it. */
describe('RFM and churn schedules', () => {
  let stateful: Template;
  let analytics: Template;
  beforeAll(() => {
    ({ stateful, analytics } = synthAnalyticsTemplates());
  });

  it.each(['score-rfm', 'detect-churn'])('%s runs daily with the query policy, LAKE_BUCKET and no lake writer policy', (name) => {
    const fns = resourcesOf(analytics, 'AWS::Lambda::Function');
    const [fnId, fn] = Object.entries(fns).find(([, f]) => tagOf(f, MANIFEST_ENTRY_TAG) === name)!;
    const variables = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({ ATHENA_WORKGROUP: 'crm-dev', LAKE_DATABASE: 'crm_dev' });
    expect(variables.LAKE_BUCKET).toBeDefined();
    const rule = Object.values(resourcesOf(analytics, 'AWS::Events::Rule'))
      .find((r) => (r.Properties!.Targets as Array<{ Arn: { 'Fn::GetAtt'?: string[] } }>).some((t) => t.Arn['Fn::GetAtt']?.[0] === fnId))!;
    expect(rule.Properties!.ScheduleExpression).toBe('rate(1 day)');

    const policies = Object.keys(resourcesOf(stateful, 'AWS::IAM::ManagedPolicy'));
    const queryPolicy = policies.find((id) => id.includes('LakeQueryPolicy'))!;
    const writerPolicy = policies.find((id) => id.includes('LakeWriterPolicy'))!;
    expect(writerPolicy).toBeDefined();
    const role = Object.values(resourcesOf(analytics, 'AWS::IAM::Role')).find((r) => tagOf(r, MANIFEST_ENTRY_TAG) === name)!;
    const attached = JSON.stringify(role.Properties!.ManagedPolicyArns ?? []);
    expect(attached).toContain(queryPolicy);
    expect(attached).not.toContain(writerPolicy);
  });
});
