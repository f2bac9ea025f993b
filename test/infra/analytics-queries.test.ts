import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '@crm/manifest';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { synthAnalyticsTemplates } from './analytics-templates';
import { resourcesOf, tagOf } from './synth-crm';

/** The query runner reaches Athena (its workgroup, the Glue database, the query policy); nothing else does. */
describe('analytics query infrastructure', () => {
  let stateful: Template;
  let analytics: Template;
  beforeAll(() => {
    ({ stateful, analytics } = synthAnalyticsTemplates());
  });

  it("gives entries with analytics: 'query' the workgroup, the database and the lake's query policy, and no other function", () => {
    const runners = manifest.filter((e) => e.analytics === 'query').map((e) => e.name);
    expect(runners).toContain('run-analytics-queries');
    const policyId = Object.keys(resourcesOf(stateful, 'AWS::IAM::ManagedPolicy')).find((id) => id.includes('LakeQueryPolicy'))!;
    for (const [roleId, role] of Object.entries(resourcesOf(analytics, 'AWS::IAM::Role'))) {
      const attached = JSON.stringify(role.Properties!.ManagedPolicyArns ?? []);
      expect(attached.includes(policyId), roleId).toBe(runners.includes(tagOf(role, MANIFEST_ENTRY_TAG) ?? ''));
    }
    for (const fn of Object.values(resourcesOf(analytics, 'AWS::Lambda::Function'))) {
      const variables = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      if (runners.includes(tagOf(fn, MANIFEST_ENTRY_TAG) ?? '')) {
        expect(variables).toMatchObject({ ATHENA_WORKGROUP: 'crm-dev', LAKE_DATABASE: 'crm_dev' });
      } else {
        expect(Object.keys(variables)).not.toContain('ATHENA_WORKGROUP');
      }
    }
  });

  it('feeds the runner only analytics-query records and the dashboard only customer and order records', () => {
    const mappings = Object.values(resourcesOf(analytics, 'AWS::Lambda::EventSourceMapping')).map((m) => m.Properties as Record<string, any>);
    const of = (fn: string) => mappings.find((m) => JSON.stringify(m.FunctionName).includes(fn))!;
    expect(JSON.stringify(of('RunAnalyticsQueries').FilterCriteria)).toContain('\\"analytics-query\\"');
    const dashboard = JSON.stringify(of('UpdateDashboard').FilterCriteria);
    for (const entity of ['customer', 'order']) expect(dashboard).toContain(`\\"${entity}\\"`);
    expect(dashboard).not.toContain('\\"interaction\\"');
  });
});
