import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '@crm/manifest';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { resourcesOf, synthCrm, tagOf } from './synth-crm';

/** The hot/cold archive's grant: the lake bucket's archive/timeline/ and archive/customers/ prefixes only, for the functions that name it. */
describe('timeline archive infrastructure', () => {
  let templates: Map<string, Template>;
  let stateful: Template;
  beforeAll(() => {
    ({ templates } = synthCrm());
    stateful = templates.get('Crm-dev-Stateful')!;
  });

  it('grants put/get/delete/list under archive/timeline/ and archive/customers/ only, to exactly the archive functions, with ARCHIVE_BUCKET set', () => {
    const [policyId, policy] = Object.entries(resourcesOf(stateful, 'AWS::IAM::ManagedPolicy')).find(([id]) => id.includes('ArchiveAccessPolicy'))!;
    const statements = (policy.Properties!.PolicyDocument as { Statement: Array<Record<string, any>> }).Statement;
    const objects = statements.find((s) => JSON.stringify(s.Action).includes('s3:PutObject'))!;
    expect(objects.Action).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(objects.Resource)).toContain('/archive/timeline/*');
    expect(JSON.stringify(objects.Resource)).toContain('/archive/customers/*');
    expect(JSON.stringify(objects.Resource)).not.toMatch(/\/(orders|interactions|deal_stage_changes|customer_snapshots)\//);
    const list = statements.find((s) => s.Action === 's3:ListBucket')!;
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['archive/timeline/*', 'archive/customers/*'] } });

    const users = manifest.filter((e) => e.buckets?.includes('archive')).map((e) => e.name).sort();
    expect(users).toEqual(['archive-expired', 'archive-inactive-customers', 'get-customer-timeline', 'rehydrate-customer']);
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
        expect(Object.keys((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables)).toContain('ARCHIVE_BUCKET');
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
