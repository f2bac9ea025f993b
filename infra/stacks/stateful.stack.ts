import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2, type CfnGlobalTable } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { INDEX_NAMES, KEY_ATTRIBUTES, indexKeyAttributes } from '@crm/core';

export interface StatefulStackProps extends StackProps {
  stage: string;
}

/**
 * Everything that holds data: the single table, the lake/archive bucket and the key that encrypts
 * both. Kept apart from the stateless stacks so those can be destroyed and redeployed freely;
 * every resource here is retained when the stack goes away.
 */
export class StatefulStack extends Stack {
  readonly dataKey: Key;
  readonly table: TableV2;
  readonly lakeBucket: Bucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    this.dataKey = new Key(this, 'DataKey', {
      description: `CRM ${props.stage}: encrypts the single table, its stream, the lake and dead-letter queues`,
      alias: `alias/crm-${props.stage}-data`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: KEY_ATTRIBUTES.pk, type: AttributeType.STRING },
      sortKey: { name: KEY_ATTRIBUTES.sk, type: AttributeType.STRING },
      // Overloaded GSIs with generic key names, so new access patterns need no table migration.
      globalSecondaryIndexes: INDEX_NAMES.map((indexName) => {
        const keys = indexKeyAttributes(indexName);
        return {
          indexName,
          partitionKey: { name: keys.pk, type: AttributeType.STRING },
          sortKey: { name: keys.sk, type: AttributeType.STRING },
        };
      }),
      timeToLiveAttribute: KEY_ATTRIBUTES.ttl,
      // The stream is the outbox: consumers need both images to derive events and lake rows.
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // SSE-KMS here, the customer managed key on the replica below (see why there).
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: true,
      billing: Billing.onDemand(),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // TableEncryptionV2.customerManagedKey() refuses region-agnostic stacks (it must know which
    // replica is local). The app stays environment-agnostic, so the key is set on the one
    // (deployment-region) replica directly: same template as customerManagedKey() would render.
    (this.table.node.defaultChild as CfnGlobalTable).addPropertyOverride(
      'Replicas.0.SSESpecification.KMSMasterKeyId',
      this.dataKey.keyArn,
    );

    const accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      // The S3 log delivery service cannot write to SSE-KMS buckets with a customer key.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.lakeBucket = new Bucket(this, 'LakeBucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      // One data key per bucket instead of one KMS call per object: cheaper and faster lake writes.
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        // Versioning protects against overwrites; old versions need not live forever.
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(90) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
