import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '@crm/manifest';
import { policyStatements, resourcesOf, synthCrm, tagOf } from './synth-crm';

const bucketOf = (template: Template) => {
  const [entry] = Object.entries(resourcesOf(template, 'AWS::S3::Bucket')).filter(([, b]) => b.Properties?.ObjectLockEnabled === true);
  expect(entry, 'the Object Lock bucket').toBeDefined();
  return { logicalId: entry![0], bucket: entry![1] as { Properties: Record<string, unknown>; DeletionPolicy?: string } };
};

describe('audit archive (Object Lock)', () => {
  let stateful: Template;
  let trust: Template;
  beforeAll(() => {
    const { templates } = synthCrm();
    stateful = templates.get('Crm-dev-Stateful')!;
    trust = templates.get('Crm-dev-Trust')!;
  });

  it('locks every object in COMPLIANCE mode for 190 days by default, encrypted with the data key, retained', () => {
    const { bucket } = bucketOf(stateful);
    const keyId = Object.keys(resourcesOf(stateful, 'AWS::KMS::Key')).find((id) => id.startsWith('DataKey'))!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 190 } } },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } },
        ],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^AccessLogsBucket/) }, LogFilePrefix: 'audit/' },
    });
  });

  it('takes the retention from crm:auditRetentionDays and refuses less than 180 days', () => {
    const { bucket } = bucketOf(synthCrm({ context: { 'crm:auditRetentionDays': '400' } }).templates.get('Crm-dev-Stateful')!);
    expect(bucket.Properties.ObjectLockConfiguration).toMatchObject({ Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } });
    expect(() => synthCrm({ context: { 'crm:auditRetentionDays': 179 } })).toThrow(/auditRetentionDays/);
    expect(() => synthCrm({ context: { 'crm:auditRetentionDays': '200.5' } })).toThrow(/auditRetentionDays/);
  });

  it('lets only the audit chain consumer write to it: PutObject under audit/, data key only through S3', () => {
    const { logicalId } = bucketOf(stateful);
    // The stateful stack has other managed policies (the lake's); this one names the audit bucket.
    const [policyId, policy] = Object.entries(resourcesOf(stateful, 'AWS::IAM::ManagedPolicy')).find(([, p]) => JSON.stringify(p).includes(logicalId))!;
    const statements = (policy.Properties!.PolicyDocument as { Statement: unknown[] }).Statement;
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, '/audit/*']] } },
      expect.objectContaining({ Effect: 'Allow', Action: 'kms:GenerateDataKey', Condition: { StringEquals: { 'kms:ViaService': expect.anything() } } }),
    ]);

    const writers = manifest.filter((e) => e.buckets?.includes('audit')).map((e) => e.name);
    expect(writers).toEqual(['chain-audit']);
    for (const [roleId, role] of Object.entries(resourcesOf(trust, 'AWS::IAM::Role'))) {
      const attached = JSON.stringify(role.Properties!.ManagedPolicyArns ?? []);
      expect(attached.includes(policyId), roleId).toBe(tagOf(role, 'crm:manifest-entry') === 'chain-audit');
    }
    // No function gets S3 rights any other way.
    expect(policyStatements(trust).filter((s) => s.Action.some((a) => a.startsWith('s3:')))).toEqual([]);
  });

  it('tells the consumer the bucket name and subscribes it to the table stream', () => {
    trust.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^chain-audit:'),
      Environment: { Variables: Match.objectLike({ AUDIT_BUCKET: { 'Fn::ImportValue': Match.stringLikeRegexp('AuditArchiveBucket') } }) },
    });
    const mappings = Object.values(resourcesOf(trust, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], StartingPosition: 'TRIM_HORIZON' });
  });
});
