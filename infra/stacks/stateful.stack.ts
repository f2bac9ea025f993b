import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2, type CfnGlobalTable } from 'aws-cdk-lib/aws-dynamodb';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectLockRetention, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { DEFAULT_RECORDING_RETENTION_DAYS, INDEX_NAMES, KEY_ATTRIBUTES, indexKeyAttributes } from '@crm/core';
import { TenantDataAccess } from '../constructs/tenant-data-access';
import { AnalyticsLake } from '../constructs/analytics-lake';
import { TimelineArchive } from '../constructs/timeline-archive';
import { acknowledgeNagRule } from '../nag';

/** Key prefix of the audit archive objects (see auditArchiveKey in @crm/core). */
export const AUDIT_ARCHIVE_PREFIX = 'audit/';

/** Key prefix of import/export files (see importBlobKeys / exportBlobKeys in @crm/core). */
export const IMPORTS_PREFIX = 'jobs/';
/** Import uploads, error reports and exports are deleted this many days after they were written. */
export const IMPORTS_EXPIRY_DAYS = 7;

/** Key prefix of call recordings (see recordingBlobKey in @crm/core). */
export const RECORDINGS_PREFIX = 'recordings/';
/**
 * Default Object Lock retention (GOVERNANCE) of call recordings. Each upload carries its tenant's
 * retention (`recordingRetentionDays` in the interaction settings) as signed lock headers, which
 * override this default; core's default is this same constant.
 */
export const RECORDINGS_RETENTION_DAYS = DEFAULT_RECORDING_RETENTION_DAYS;

/** `source` of every domain event the CRM publishes (rules and the archive match on it). */
export const DOMAIN_EVENT_SOURCE = 'crm';
/** Domain events are kept this long in the bus archive (replayable to rebuild a consumer). */
export const EVENT_ARCHIVE_RETENTION_DAYS = 365;

export interface StatefulStackProps extends StackProps {
  stage: string;
  /** Object Lock COMPLIANCE retention of the audit archive (days). */
  auditRetentionDays: number;
  /** Object Lock GOVERNANCE retention of call recordings (days; default RECORDINGS_RETENTION_DAYS). */
  recordingRetentionDays?: number;
}

/**
 * Everything that holds data: the single table, the lake/archive bucket and the key that encrypts
 * both. Kept apart from the stateless stacks so those can be destroyed and redeployed freely;
 * every resource here is retained when the stack goes away.
 */
export class StatefulStack extends Stack {
  readonly dataKey: Key;
  /** Wraps the data keys of application-level field encryption (sensitive customer fields). */
  readonly fieldKey: Key;
  readonly table: TableV2;
  readonly lakeBucket: Bucket;
  /** Glue tables (partition projection), Athena workgroup and named queries over the lake; the lake-writer policy. */
  readonly analyticsLake: AnalyticsLake;
  /** The hot/cold archive's access to the lake bucket's `archive/timeline/` prefix (ADR 0033). */
  readonly timelineArchive: TimelineArchive;
  /** Tenant-scoped roles request handlers reach the table through (docs/adr/0007). */
  readonly tenantDataAccess: TenantDataAccess;
  /** Audit archive: WORM copies of the chained audit records (Object Lock, COMPLIANCE mode). */
  readonly auditBucket: Bucket;
  /** Write-only access to the audit archive (attached to the chain consumer's role). */
  readonly auditWriterPolicy: ManagedPolicy;
  /** Import uploads, error reports and exports (`jobs/…`), expired after IMPORTS_EXPIRY_DAYS. */
  readonly importsBucket: Bucket;
  /** Read/write/delete under `jobs/` of the imports bucket (also what presigned URLs of its holders allow). */
  readonly importsAccessPolicy: ManagedPolicy;
  /** Call recordings (`recordings/…`): SSE-KMS with the data key, versioned, Object Lock GOVERNANCE. */
  readonly recordingsBucket: Bucket;
  /** Read/write under `recordings/` of the recordings bucket (what presigned URLs of its holders allow). */
  readonly recordingsAccessPolicy: ManagedPolicy;
  /** The stage's domain-event bus `crm-<stage>` (published to by the publish-events consumer). */
  readonly eventBus: EventBus;
  /** Every domain event, replayable (EventBridge archive). */
  readonly eventArchive: Archive;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    this.dataKey = new Key(this, 'DataKey', {
      description: `CRM ${props.stage}: encrypts the single table, its stream, the lake and dead-letter queues`,
      alias: `alias/crm-${props.stage}-data`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // A key of its own, not the data key: only functions whose manifest entry says `fieldEncryption`
    // may use it, directly (GenerateDataKey/Decrypt), whereas the data key serves DynamoDB, S3 and SQS.
    this.fieldKey = new Key(this, 'FieldKey', {
      description: `CRM ${props.stage}: wraps the AES-256-GCM data keys of encrypted sensitive fields (envelope encryption)`,
      alias: `alias/crm-${props.stage}-fields`,
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
    // Next to the table whose items they confine; the functions' stacks reference their ARNs.
    this.tenantDataAccess = new TenantDataAccess(this, 'TenantDataAccess', { stage: props.stage, table: this.table, key: this.dataKey });

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
    this.analyticsLake = new AnalyticsLake(this, 'AnalyticsLake', { stage: props.stage, bucket: this.lakeBucket, key: this.dataKey });
    this.timelineArchive = new TimelineArchive(this, 'TimelineArchive', { stage: props.stage, bucket: this.lakeBucket, key: this.dataKey });

    // Its own bucket rather than a prefix of the lake: COMPLIANCE-mode retention applies to every
    // object of a bucket by default, and nobody (root included) can delete or shorten it, which
    // the lake's rewritable, lifecycle-expired data must not inherit.
    this.auditBucket = new Bucket(this, 'AuditArchiveBucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(props.auditRetentionDays)),
      encryption: BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'audit/',
      lifecycleRules: [
        // Locked versions cannot expire early; this only cleans up once their retention has ended.
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(props.auditRetentionDays + 1) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Defined here, next to the bucket, and attached to the writer's role in its own stack: the
    // statement then names the bucket locally and its one wildcard (object keys) is acknowledged
    // here. PutObject only: the archive is write-once, no read, list or delete.
    this.auditWriterPolicy = new ManagedPolicy(this, 'AuditArchiveWriterPolicy', {
      description: `CRM ${props.stage}: write audit records to the Object Lock archive`,
      statements: [
        new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.auditBucket.arnForObjects(`${AUDIT_ARCHIVE_PREFIX}*`)] }),
        new PolicyStatement({
          actions: ['kms:GenerateDataKey'],
          resources: [this.dataKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
        }),
      ],
    });
    // Transfer files are working copies (the table holds the customers), so they expire; customer
    // data in them is encrypted with the data key like the table. Presigned URLs act with the
    // signer's role, which therefore holds the KMS grants an upload/download needs (via S3 only).
    this.importsBucket = new Bucket(this, 'ImportsBucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'imports/',
      lifecycleRules: [
        { id: 'expire-transfer-files', expiration: Duration.days(IMPORTS_EXPIRY_DAYS) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.importsAccessPolicy = new ManagedPolicy(this, 'ImportsAccessPolicy', {
      description: `CRM ${props.stage}: read, write and presign import/export files`,
      statements: [
        new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], resources: [this.importsBucket.arnForObjects(`${IMPORTS_PREFIX}*`)] }),
        // Lets HeadObject answer 404 (not 403) for a file that was not uploaded yet.
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.importsBucket.bucketArn] }),
        new PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.dataKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
        }),
      ],
    });
    const importsBucketId = this.getLogicalId(this.importsBucket.node.defaultChild as CfnBucket);
    acknowledgeNagRule(
      this.importsAccessPolicy,
      `IAM5[Resource::<${importsBucketId}.Arn>/${IMPORTS_PREFIX}*]`,
      'Object keys are per job (jobs/tenant=<t>/<imports|exports>/<id>/...); the grant covers only the jobs/ prefix of this one bucket.',
    );

    // Recordings are evidence (disputes, quality, compliance): write-once by default retention.
    // GOVERNANCE rather than COMPLIANCE so a privileged operator (s3:BypassGovernanceRetention,
    // granted to nobody here) can still honour an erasure order; no delete grant to the functions.
    const recordingRetentionDays = props.recordingRetentionDays ?? RECORDINGS_RETENTION_DAYS;
    this.recordingsBucket = new Bucket(this, 'RecordingsBucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.governance(Duration.days(recordingRetentionDays)),
      encryption: BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'recordings/',
      lifecycleRules: [
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(recordingRetentionDays + 1) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.recordingsAccessPolicy = new ManagedPolicy(this, 'RecordingsAccessPolicy', {
      description: `CRM ${props.stage}: write, read and presign call recordings`,
      statements: [
        // PutObjectRetention: a PutObject that carries its own lock headers (the tenant's retention) needs it.
        new PolicyStatement({ actions: ['s3:PutObject', 's3:PutObjectRetention', 's3:GetObject'], resources: [this.recordingsBucket.arnForObjects(`${RECORDINGS_PREFIX}*`)] }),
        // Lets HeadObject answer 404 (not 403) for a recording that was not uploaded yet.
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.recordingsBucket.bucketArn] }),
        new PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.dataKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
        }),
      ],
    });
    const recordingsBucketId = this.getLogicalId(this.recordingsBucket.node.defaultChild as CfnBucket);
    acknowledgeNagRule(
      this.recordingsAccessPolicy,
      `IAM5[Resource::<${recordingsBucketId}.Arn>/${RECORDINGS_PREFIX}*]`,
      'Object keys are per interaction (recordings/tenant=<t>/<customer>/<interaction>.<ext>); the grant covers only the recordings/ prefix of this one bucket, without delete.',
    );

    // The bus is stateful only through its archive, but rules and targets of later issues
    // (webhooks, lake) reference it by name across stacks, so it lives here and is retained.
    this.eventBus = new EventBus(this, 'EventBus', { eventBusName: `crm-${props.stage}`, description: `CRM ${props.stage} domain events` });
    this.eventBus.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.eventArchive = this.eventBus.archive('EventArchive', {
      archiveName: `crm-${props.stage}-events`,
      description: 'Every CRM domain event, replayable',
      eventPattern: { source: [DOMAIN_EVENT_SOURCE] },
      retention: Duration.days(EVENT_ARCHIVE_RETENTION_DAYS),
    });
    this.eventArchive.applyRemovalPolicy(RemovalPolicy.RETAIN);

    const bucketId = this.getLogicalId(this.auditBucket.node.defaultChild as CfnBucket);
    acknowledgeNagRule(
      this.auditWriterPolicy,
      `IAM5[Resource::<${bucketId}.Arn>/${AUDIT_ARCHIVE_PREFIX}*]`,
      'Object keys are per record (audit/tenant=<t>/date=<d>/<seq>-<id>.json); the grant is PutObject only, under the audit/ prefix of this one bucket.',
    );
  }
}
