import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '@crm/manifest';
import { resourcesOf, synthCrm, tagOf } from './synth-crm';

/** The recordings bucket: call recordings of phone_call interactions (POST/GET /v1/interactions/{id}/recording). */
describe('recordings bucket', () => {
  let stateful: Template;
  let interactions: Template;
  beforeAll(() => {
    const { templates } = synthCrm();
    stateful = templates.get('Crm-dev-Stateful')!;
    interactions = templates.get('Crm-dev-Interactions')!;
  });

  const recordingsBucket = () => {
    const entry = Object.entries(resourcesOf(stateful, 'AWS::S3::Bucket')).find(([id]) => id.startsWith('RecordingsBucket'));
    expect(entry, 'RecordingsBucket').toBeDefined();
    return { logicalId: entry![0], bucket: entry![1] as { Properties: Record<string, unknown>; DeletionPolicy?: string } };
  };

  it('is private, TLS-only, SSE-KMS with the data key, versioned, Object Lock GOVERNANCE, logged and retained', () => {
    const { logicalId, bucket } = recordingsBucket();
    const keyId = Object.keys(resourcesOf(stateful, 'AWS::KMS::Key')).find((id) => id.startsWith('DataKey'))!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
      LoggingConfiguration: { LogFilePrefix: 'recordings/' },
    });
    // Recordings never expire by lifecycle (only non-current versions after their retention).
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
    expect(rules.some((r) => r.ExpirationInDays !== undefined)).toBe(false);
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('grants put/get (no delete) under recordings/ only, and only to the recording routes', () => {
    const { logicalId } = recordingsBucket();
    const [policyId, policy] = Object.entries(resourcesOf(stateful, 'AWS::IAM::ManagedPolicy')).find(([id]) => id.startsWith('RecordingsAccessPolicy'))!;
    const statements = (policy.Properties!.PolicyDocument as { Statement: unknown[] }).Statement;
    expect(statements).toEqual([
      // PutObjectRetention: uploads carry the tenant's retention as lock headers (still no delete, no bypass).
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:PutObjectRetention'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, '/recordings/*']] } },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [logicalId, 'Arn'] } },
      expect.objectContaining({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': expect.anything() } } }),
    ]);
    const users = manifest.filter((e) => e.buckets?.includes('recordings')).map((e) => e.name).sort();
    expect(users).toEqual(['complete-recording', 'get-recording', 'request-recording-upload']);
    const roles = Object.entries(resourcesOf(interactions, 'AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThan(users.length);
    for (const [roleId, role] of roles) {
      const attached = JSON.stringify(role.Properties!.ManagedPolicyArns ?? []);
      expect(attached.includes(policyId), roleId).toBe(users.includes(tagOf(role, 'crm:manifest-entry') ?? ''));
    }
    interactions.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^get-recording:'),
      Environment: { Variables: Match.objectLike({ RECORDINGS_BUCKET: { 'Fn::ImportValue': Match.stringLikeRegexp('RecordingsBucket') } }) },
    });
  });
});
