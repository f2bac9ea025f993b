import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '@crm/manifest';
import { resourcesOf, synthCrm, tagOf } from './synth-crm';

/** The imports bucket: import uploads, error reports and exports (docs/adr/0014-background-jobs.md). */
describe('imports bucket', () => {
  let stateful: Template;
  let customers: Template;
  beforeAll(() => {
    const { templates } = synthCrm();
    stateful = templates.get('Crm-dev-Stateful')!;
    customers = templates.get('Crm-dev-Customers')!;
  });

  const importsBucket = () => {
    const entry = Object.entries(resourcesOf(stateful, 'AWS::S3::Bucket')).find(([id]) => id.startsWith('ImportsBucket'));
    expect(entry, 'ImportsBucket').toBeDefined();
    return { logicalId: entry![0], bucket: entry![1] as { Properties: Record<string, unknown>; DeletionPolicy?: string } };
  };

  it('is private, TLS-only, encrypted with the data key, logged, and expires its files after 7 days', () => {
    const { logicalId, bucket } = importsBucket();
    const keyId = Object.keys(resourcesOf(stateful, 'AWS::KMS::Key')).find((id) => id.startsWith('DataKey'))!;
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { LogFilePrefix: 'imports/' },
      LifecycleConfiguration: { Rules: expect.arrayContaining([
        expect.objectContaining({ ExpirationInDays: 7, Status: 'Enabled' }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      ]) },
    });
    expect(bucket.Properties.ObjectLockEnabled).toBeUndefined();
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('grants object access under jobs/ only, and only to the import/export entries', () => {
    const { logicalId } = importsBucket();
    const [policyId, policy] = Object.entries(resourcesOf(stateful, 'AWS::IAM::ManagedPolicy')).find(([id]) => id.startsWith('ImportsAccessPolicy'))!;
    const statements = (policy.Properties!.PolicyDocument as { Statement: unknown[] }).Statement;
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, '/jobs/*']] } },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [logicalId, 'Arn'] } },
      expect.objectContaining({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': expect.anything() } } }),
    ]);
    const users = manifest.filter((e) => e.buckets?.includes('imports')).map((e) => e.name).sort();
    expect(users).toEqual(['create-import', 'get-export', 'get-import', 'run-jobs', 'start-import']);
    for (const [roleId, role] of Object.entries(resourcesOf(customers, 'AWS::IAM::Role'))) {
      const attached = JSON.stringify(role.Properties!.ManagedPolicyArns ?? []);
      expect(attached.includes(policyId), roleId).toBe(users.includes(tagOf(role, 'crm:manifest-entry') ?? ''));
    }
  });

  it('runs jobs from the table stream with a 120 s timeout and the bucket name', () => {
    customers.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^run-jobs:'),
      Timeout: 120,
      MemorySize: 1024,
      Environment: { Variables: Match.objectLike({ IMPORTS_BUCKET: { 'Fn::ImportValue': Match.stringLikeRegexp('ImportsBucket') } }) },
    });
  });
});
