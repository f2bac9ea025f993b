import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { manifest } from '@crm/manifest';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { crossStackReferences, resourcesOf, synthCrm, tagOf } from './synth-crm';

type Statement = { Action: string | string[]; Resource: unknown };

describe('domain-event bus', () => {
  let templates: Map<string, Template>;
  beforeAll(() => {
    templates = synthCrm().templates;
  });
  const all = () => [...templates.entries()];

  it('is one retained bus crm-<stage> in the stateful stack, archived (source crm, 365 days, retained)', () => {
    const buses = all().flatMap(([stack, t]) => Object.entries(resourcesOf(t, 'AWS::Events::EventBus')).map(([id, r]) => ({ stack, id, r })));
    expect(buses).toHaveLength(1);
    expect(buses[0]!.stack).toBe('Crm-dev-Stateful');
    expect(buses[0]!.r).toMatchObject({ Properties: { Name: 'crm-dev' }, DeletionPolicy: 'Retain' });
    const archives = Object.values(resourcesOf(templates.get('Crm-dev-Stateful')!, 'AWS::Events::Archive'));
    expect(archives).toHaveLength(1);
    expect(archives[0]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { ArchiveName: 'crm-dev-events', RetentionDays: 365, EventPattern: { source: ['crm'] }, SourceArn: { 'Fn::GetAtt': [buses[0]!.id, 'Arn'] } },
    });
  });

  it('is published to (events:PutEvents on that bus only, EVENT_BUS_NAME) exactly by entries with eventBus, and by no one else', () => {
    const publishers = manifest.filter((e) => e.eventBus === 'publish').map((e) => e.name);
    expect(publishers).toEqual(['publish-events']);
    const withGrant = new Set<string>();
    const withEnv = new Set<string>();
    for (const template of templates.values()) {
      const roles = resourcesOf(template, 'AWS::IAM::Role');
      for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
        const statements = (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
        const events = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('events:')));
        for (const statement of events) {
          expect(statement.Action).toBe('events:PutEvents');
          expect(crossStackReferences(statement.Resource).some((r) => r.startsWith('Crm-dev-Stateful:') && r.includes('EventBus'))).toBe(true);
          for (const role of policy.Properties!.Roles as Array<{ Ref: string }>) withGrant.add(tagOf(roles[role.Ref]!, MANIFEST_ENTRY_TAG)!);
        }
      }
      for (const fn of Object.values(resourcesOf(template, 'AWS::Lambda::Function'))) {
        const env = (fn.Properties!.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
        if (env.EVENT_BUS_NAME !== undefined) withEnv.add(tagOf(fn, MANIFEST_ENTRY_TAG)!);
      }
    }
    expect([...withGrant]).toEqual(publishers);
    expect([...withEnv]).toEqual(publishers);
  });

  it('every stream consumer (publish-events included) retries, bisects, ages out and keeps poison records in an encrypted queue', () => {
    const streamNames = manifest.filter((e) => e.kind === 'stream').map((e) => e.name);
    expect(streamNames).toContain('publish-events');
    let mappings = 0;
    for (const template of templates.values()) {
      for (const mapping of Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'))) {
        mappings += 1;
        expect(mapping.Properties).toMatchObject({
          BisectBatchOnFunctionError: true,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          MaximumRetryAttempts: expect.any(Number),
          MaximumRecordAgeInSeconds: expect.any(Number),
          DestinationConfig: { OnFailure: { Destination: expect.anything() } },
        });
        const queueId = (mapping.Properties!.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } }).OnFailure.Destination['Fn::GetAtt'][0];
        expect(resourcesOf(template)[queueId]).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: expect.anything() } });
      }
    }
    expect(mappings).toBe(streamNames.length);
  });

  it('filters every stream consumer to the entities its manifest entry names (Lambda event filtering)', () => {
    const mappings = [...templates.values()].flatMap((t) => Object.entries(resourcesOf(t, 'AWS::Lambda::EventSourceMapping')).map(([, m]) => ({ m, fns: resourcesOf(t, 'AWS::Lambda::Function') })));
    for (const entry of manifest) {
      if (entry.kind !== 'stream') continue;
      expect(entry.entities, `${entry.name} names its entities`).toBeDefined();
      const found = mappings.find(({ m, fns }) => tagOf(fns[(m.Properties!.FunctionName as { Ref: string }).Ref]!, MANIFEST_ENTRY_TAG) === entry.name);
      expect(found, entry.name).toBeDefined();
      const patterns = (found!.m.Properties!.FilterCriteria as { Filters: Array<{ Pattern: string }> }).Filters.map((f) => JSON.parse(f.Pattern));
      expect(patterns).toEqual([
        { dynamodb: { NewImage: { entity: { S: [...entry.entities!] } } } },
        { dynamodb: { OldImage: { entity: { S: [...entry.entities!] } } } },
      ]);
    }
  });
});
