import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '@crm/manifest';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { synthAnalyticsTemplates } from './analytics-templates';
import { resourcesOf, tagOf } from './synth-crm';

/**
 * The daily customer-archiving job (ADR 0034, customer stubs): queries the lake, writes the table and
 * the archive prefixes — and nothing else: no lake writer policy, no field key (profiles are archived
 * as stored, sealed), no event bus.
 */
describe('archive-inactive-customers schedule', () => {
  let stateful: Template;
  let analytics: Template;
  beforeAll(() => {
    ({ stateful, analytics } = synthAnalyticsTemplates());
  });

  it('is a daily schedule in the manifest shipping the report SQL', () => {
    const entry = manifest.find((e) => e.name === 'archive-inactive-customers')!;
    expect(entry).toMatchObject({ kind: 'schedule', context: 'analytics', rateMinutes: 1440, table: 'read-write', analytics: 'query', buckets: ['customer-archive'] });
    expect(entry.assets?.map((a) => a.to)).toContain('sql/inactive-customers.sql');
    expect(entry.fieldEncryption).toBeUndefined();
    expect(entry.eventBus).toBeUndefined();
  });

  it('runs daily with the query and customer-archive policies only, CUSTOMER_ARCHIVE_BUCKET and the Athena settings set', () => {
    const fns = resourcesOf(analytics, 'AWS::Lambda::Function');
    const [fnId, fn] = Object.entries(fns).find(([, f]) => tagOf(f, MANIFEST_ENTRY_TAG) === 'archive-inactive-customers')!;
    const variables = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({ ATHENA_WORKGROUP: 'crm-dev', LAKE_DATABASE: 'crm_dev' });
    expect(variables.CUSTOMER_ARCHIVE_BUCKET).toBeDefined();
    // No access to archived timelines: it only gives live items a TTL.
    expect(variables).not.toHaveProperty('ARCHIVE_BUCKET');
    expect(variables.LAKE_BUCKET).toBeDefined();
    expect(variables).not.toHaveProperty('FIELD_KEY_ARN');
    expect(variables).not.toHaveProperty('EVENT_BUS_NAME');
    const rule = Object.values(resourcesOf(analytics, 'AWS::Events::Rule'))
      .find((r) => (r.Properties!.Targets as Array<{ Arn: { 'Fn::GetAtt'?: string[] } }>).some((t) => t.Arn['Fn::GetAtt']?.[0] === fnId))!;
    expect(rule.Properties!.ScheduleExpression).toBe('rate(1 day)');

    const policies = Object.keys(resourcesOf(stateful, 'AWS::IAM::ManagedPolicy'));
    const find = (part: string) => policies.find((id) => id.includes(part))!;
    const role = Object.values(resourcesOf(analytics, 'AWS::IAM::Role')).find((r) => tagOf(r, MANIFEST_ENTRY_TAG) === 'archive-inactive-customers')!;
    const attached = JSON.stringify(role.Properties!.ManagedPolicyArns ?? []);
    expect(attached).toContain(find('LakeQueryPolicy'));
    expect(attached).toContain(find('CustomerArchivePolicy'));
    expect(attached).not.toContain(find('ArchiveAccessPolicy'));
    expect(attached).not.toContain(find('LakeWriterPolicy'));
  });

});
