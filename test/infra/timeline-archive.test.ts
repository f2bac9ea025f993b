import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '@crm/manifest';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { resourcesOf, synthCrm, tagOf } from './synth-crm';

/** The hot/cold archive's grants: one policy per archive prefix of the lake bucket (timelines, customer profiles), each for the functions that name it. */
describe('timeline archive infrastructure', () => {
  let templates: Map<string, Template>;
  let stateful: Template;
  beforeAll(() => {
    ({ templates } = synthCrm());
    stateful = templates.get('Crm-dev-Stateful')!;
  });

  it.each([
    ['ArchiveAccessPolicy', 'archive', 'archive/timeline/', 'ARCHIVE_BUCKET', ['archive-expired', 'get-customer-timeline', 'rehydrate-customer']],
    ['CustomerArchivePolicy', 'customer-archive', 'archive/customers/', 'CUSTOMER_ARCHIVE_BUCKET', ['archive-inactive-customers', 'rehydrate-customer']],
  ] as const)('%s: put/get/delete/list under its prefix only, to exactly the functions naming bucket %s', (policyPart, bucketName, prefix, envName, expectedUsers) => {
    const [policyId, policy] = Object.entries(resourcesOf(stateful, 'AWS::IAM::ManagedPolicy')).find(([id]) => id.includes(policyPart))!;
    const statements = (policy.Properties!.PolicyDocument as { Statement: Array<Record<string, any>> }).Statement;
    const objects = statements.find((s) => JSON.stringify(s.Action).includes('s3:PutObject'))!;
    expect(objects.Action).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(objects.Resource)).toContain(`/${prefix}*`);
    // The other archive prefix and the lake tables are out of reach.
    const other = prefix === 'archive/timeline/' ? 'archive/customers/' : 'archive/timeline/';
    expect(JSON.stringify(statements)).not.toContain(other);
    expect(JSON.stringify(objects.Resource)).not.toMatch(/\/(orders|interactions|deal_stage_changes|customer_snapshots)\//);
    const list = statements.find((s) => s.Action === 's3:ListBucket')!;
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': [`${prefix}*`] } });

    const users = manifest.filter((e) => e.buckets?.includes(bucketName)).map((e) => e.name).sort();
    expect(users).toEqual([...expectedUsers]);
    let functions = 0;
    for (const [name, template] of templates) {
      if (name === 'Crm-dev-Stateful') continue;
      for (const [roleId, role] of Object.entries(resourcesOf(template, 'AWS::IAM::Role'))) {
        const attached = JSON.stringify(role.Properties!.ManagedPolicyArns ?? []);
        expect(attached.includes(policyId), roleId).toBe(users.includes(tagOf(role, MANIFEST_ENTRY_TAG) ?? ''));
      }
      for (const fn of Object.values(resourcesOf(template, 'AWS::Lambda::Function'))) {
        if (!users.includes(tagOf(fn, MANIFEST_ENTRY_TAG) ?? '')) continue;
        functions += 1;
        expect(Object.keys((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables)).toContain(envName);
      }
    }
    expect(functions).toBe(users.length);
  });

  it('consumes the table stream for timeline items, reporting failures per batch', () => {
    const mappings = [...templates.values()].flatMap((t) => Object.values(resourcesOf(t, 'AWS::Lambda::EventSourceMapping')).map((m) => m.Properties as Record<string, any>))
      .filter((m) => JSON.stringify(m.FunctionName).includes('ArchiveExpired'));
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({ BatchSize: 500, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const filters = JSON.stringify(mappings[0]!.FilterCriteria);
    for (const entity of ['interaction', 'timeline-entry']) expect(filters).toContain(`\\"${entity}\\"`);
  });
});
