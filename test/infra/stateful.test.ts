import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { INDEX_NAMES, KEY_ATTRIBUTES, indexKeyAttributes } from '@crm/core';
import { resourcesOf, synthCrm } from './synth-crm';

describe('stateful stack', () => {
  let stateful: Template;
  beforeAll(() => {
    stateful = synthCrm().templates.get('Crm-dev-Stateful')!;
  });

  // The data key (table, stream, buckets, queues); the field key is tested in field-encryption.test.ts.
  const keyLogicalId = () => Object.keys(resourcesOf(stateful, 'AWS::KMS::Key')).find((id) => id.startsWith('DataKey'))!;

  it('has two customer managed keys (data, fields), both rotated and retained', () => {
    stateful.resourceCountIs('AWS::KMS::Key', 2);
    for (const key of Object.values(resourcesOf(stateful, 'AWS::KMS::Key')) as Array<Record<string, any>>) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
      expect(key.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('defines the single table from the core key constants', () => {
    stateful.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    stateful.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: KEY_ATTRIBUTES.pk, KeyType: 'HASH' },
          { AttributeName: KEY_ATTRIBUTES.sk, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: KEY_ATTRIBUTES.ttl, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        GlobalSecondaryIndexes: INDEX_NAMES.map((indexName) => ({
          IndexName: indexName,
          KeySchema: [
            { AttributeName: indexKeyAttributes(indexName).pk, KeyType: 'HASH' },
            { AttributeName: indexKeyAttributes(indexName).sk, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      },
    });
    const attributes = Object.values(resourcesOf(stateful, 'AWS::DynamoDB::GlobalTable'))[0]!.Properties!.AttributeDefinitions;
    for (const definition of attributes as Array<{ AttributeType: string }>) expect(definition.AttributeType).toBe('S');
  });

  it('puts PITR, deletion protection and the CMK on the replica (GlobalTable layout)', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [
        Match.objectLike({
          Region: { Ref: 'AWS::Region' },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyLogicalId(), 'Arn'] } },
        }),
      ],
    });
  });

  it('encrypts the lake bucket with the CMK, versions it and logs access to a separate bucket', () => {
    stateful.resourceCountIs('AWS::S3::Bucket', 5); // access logs, lake, audit archive (test/infra/audit-archive.test.ts), imports (test/infra/imports-bucket.test.ts), recordings (test/infra/recordings-bucket.test.ts)
    stateful.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyLogicalId(), 'Arn'] } },
            },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: Match.anyValue() } },
        LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: Match.anyValue() })]) },
      },
    });
  });

  it('blocks public access, retains and requires TLS on every bucket', () => {
    const buckets = resourcesOf(stateful, 'AWS::S3::Bucket');
    const policies = Object.values(resourcesOf(stateful, 'AWS::S3::BucketPolicy'));
    for (const [logicalId, bucket] of Object.entries(buckets)) {
      expect(bucket.Properties!.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect((bucket as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
      const policy = policies.find((candidate) => JSON.stringify(candidate.Properties!.Bucket).includes(logicalId));
      expect(policy, `bucket policy of ${logicalId}`).toBeDefined();
      const statements = (policy!.Properties!.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});
