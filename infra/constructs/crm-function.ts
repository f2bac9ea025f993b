import { Duration, Stack, Tags } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { CfnRole, PolicyStatement, Role, ServicePrincipal, type IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Architecture,
  CfnFunction,
  FilterCriteria,
  FilterRule,
  Function as LambdaFunction,
  Runtime,
  StartingPosition,
  Tracing,
  type Code,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INDEX_NAMES } from '@crm/core';
import type { BucketName, ManifestEntry, ScheduleEntry, StreamConsumerEntry, TableAccess } from '@crm/manifest';
import { acknowledgeNagRule } from '../nag';
import type { PlaceIndexRef } from './geocoding-place-index';
// One list of table actions per access level for the tenant roles and the direct grants alike.
import { TENANT_ACCESS_ROLE_TAG, TENANT_TABLE_ACTIONS, type TenantDataAccess } from './tenant-data-access';

/** Tag carried by every resource of a manifest entry; tests and operators find functions by it. */
export const MANIFEST_ENTRY_TAG = 'crm:manifest-entry';

/** Latest Node.js runtime in aws-cdk-lib 2.276 (L1 of cdk-nag checks the same list). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/** Defaults per entry kind; an entry's `memoryMb`/`timeoutSeconds` override them. */
const KIND_DEFAULTS: Record<ManifestEntry['kind'], { memoryMb: number; timeoutSeconds: number }> = {
  // API Gateway gives up after 29 s; a request that needs more belongs in an async flow.
  http: { memoryMb: 512, timeoutSeconds: 10 },
  // A batch of stream records may fan out to several writes.
  stream: { memoryMb: 512, timeoutSeconds: 60 },
  // Cognito waits at most 5 s for a trigger, then fails the sign-in.
  'cognito-trigger': { memoryMb: 256, timeoutSeconds: 5 },
  // A scheduled sweep handles at most a bounded page of due work per run.
  schedule: { memoryMb: 512, timeoutSeconds: 120 },
};


/** What DynamoDB asks KMS for on the caller's behalf with a customer managed table key. */
const TABLE_KEY_ACTIONS: Record<Exclude<TableAccess, 'none'>, string[]> = {
  read: ['kms:Decrypt'],
  'read-write': ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
};

/** The single table and the customer managed key that encrypts it, its indexes and its stream. */
export interface EncryptedTable {
  readonly table: ITableV2;
  readonly key: IKey;
  /**
   * The tenant-scoped roles request handlers reach the table through (docs/adr/0007). Required as
   * soon as an http entry needs the table.
   */
  readonly tenantAccess?: TenantDataAccess;
}

/** A bucket of the stateful stack and the managed policy that lets a function write to it. */
export interface WritableBucket {
  readonly bucket: IBucket;
  readonly writerPolicy: IManagedPolicy;
}

/** What a function needs to run the reports on Athena (the stateful stack's AnalyticsLake). */
export interface AnalyticsQueryAccess {
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly queryPolicy: IManagedPolicy;
  /** The lake bucket (set as `LAKE_BUCKET`: the query policy may list it, e.g. for the tenants with a lake table). */
  readonly lakeBucketName?: string;
}

export interface CrmFunctionProps {
  entry: ManifestEntry;
  /** The entry's bundle folder, or placeholder code when the stack is synthesized without bundling. */
  code: Code;
}

/**
 * The one Lambda construct of the CRM: one function per manifest entry, with the runtime, log,
 * tracing and environment defaults every handler expects. Permissions come only from `bind*`.
 */
export class CrmFunction extends Construct {
  readonly entry: ManifestEntry;
  readonly function: LambdaFunction;
  readonly role: Role;
  /**
   * The function ARN as a plain resource attribute (`Fn::GetAtt`), which other stacks can consume
   * with a chosen reference strength (`Stack.consumeReference`).
   */
  readonly functionArn: string;
  /** The execution role's ARN as a plain resource attribute, like `functionArn`. */
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: CrmFunctionProps) {
    super(scope, id);
    const { entry } = props;
    this.entry = entry;
    const defaults = KIND_DEFAULTS[entry.kind];

    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    // An explicit role instead of Lambda's default one, which would attach the broad
    // AWSLambdaBasicExecutionRole managed policy (write to any log group).
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `CRM function ${entry.name}`,
    });
    logGroup.grantWrite(this.role);

    this.function = new LambdaFunction(this, 'Function', {
      description: `${entry.name}: ${entry.summary}`.slice(0, 256),
      runtime: FUNCTION_RUNTIME,
      // Graviton, except for entries shipping native packages: their binaries are Linux x64 ones.
      architecture: entry.nativePackages?.length ? Architecture.X86_64 : Architecture.ARM_64,
      code: props.code,
      handler: 'index.handler',
      memorySize: entry.memoryMb ?? defaults.memoryMb,
      timeout: Duration.seconds(entry.timeoutSeconds ?? defaults.timeoutSeconds),
      role: this.role,
      logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        CRM_RUNTIME: 'aws',
        POWERTOOLS_SERVICE_NAME: `crm-${entry.context}`,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    this.functionArn = (this.function.node.defaultChild as CfnFunction).attrArn;
    this.roleArn = (this.role.node.defaultChild as CfnRole).attrArn;
    Tags.of(this).add(MANIFEST_ENTRY_TAG, entry.name);
    Tags.of(this).add('crm:context', entry.context);

    acknowledgeNagRule(
      this.role,
      'IAM5[Resource::*]',
      'Active X-Ray tracing needs xray:PutTraceSegments/PutTelemetryRecords, which support no resource-level permissions.',
    );
  }

  /**
   * Gives the function the table name and least-privilege access to the table, its indexes and the
   * table key. `TABLE_NAME` is set for every access level because the runtime's configuration
   * schema requires it in AWS mode; with `none` no permission comes with it. HTTP handlers get
   * `TENANT_ROLE_ARN` and may only assume that tenant role; other kinds get a direct grant.
   */
  bindTable({ table, key, tenantAccess }: EncryptedTable, access: TableAccess): void {
    this.function.addEnvironment('TABLE_NAME', table.tableName);
    if (access === 'none') return;
    if (this.entry.kind === 'http') {
      // Request handlers act for one tenant: no table permission of their own, only the right to
      // assume the tenant role of their access level with a tenant session tag.
      if (!tenantAccess) throw new Error(`${this.entry.name}: http entries reach the table only through tenant roles`);
      const tenantRole = tenantAccess.roleFor(access);
      this.function.addEnvironment('TENANT_ROLE_ARN', tenantRole.roleArn);
      Tags.of(this.role).add(TENANT_ACCESS_ROLE_TAG, access);
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [tenantRole.roleArn] }),
      );
      return;
    }
    // Stream consumers and Cognito triggers work across tenants by nature (a stream batch mixes
    // tenants; a trigger learns the tenant from the table), so they keep a direct least-privilege grant.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: TENANT_TABLE_ACTIONS[access],
        // Each index named explicitly instead of `index/*`: no wildcard resource to justify.
        resources: [table.tableArn, ...INDEX_NAMES.map((indexName) => `${table.tableArn}/index/${indexName}`)],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: TABLE_KEY_ACTIONS[access],
        resources: [key.keyArn],
        // Usable only through DynamoDB, not to decrypt arbitrary ciphertext with the function's role.
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  /**
   * Lets the function seal and open sensitive fields: `FIELD_KEY_ARN` plus GenerateDataKey (new
   * data keys) and Decrypt (unwrap them) on the field key only. The Encryption SDK sends the
   * field's encryption context (`tenantId`, `field`) with both calls; requiring it means the role
   * cannot use the key for anything but field envelopes (no bare Decrypt of other ciphertexts).
   */
  bindFieldKey(key: IKey): void {
    this.function.addEnvironment('FIELD_KEY_ARN', key.keyArn);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          Null: { 'kms:EncryptionContext:tenantId': 'false', 'kms:EncryptionContext:field': 'false' },
        },
      }),
    );
  }

  /**
   * Lets the function geocode: `GEOCODER_PLACE_INDEX` plus geo:SearchPlaceIndexForText on that one
   * place index (no other Location action, no other index).
   */
  bindPlaceIndex(index: PlaceIndexRef): void {
    this.function.addEnvironment('GEOCODER_PLACE_INDEX', index.indexName);
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['geo:SearchPlaceIndexForText'], resources: [index.indexArn] }));
  }

  /**
   * Lets the function publish domain events: `EVENT_BUS_NAME` plus events:PutEvents on that one bus
   * (no other EventBridge action, no other bus).
   */
  bindEventBus(bus: IEventBus): void {
    this.function.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }));
  }

  /**
   * Lets the function run the analytics reports on Athena: `ATHENA_WORKGROUP` and `LAKE_DATABASE`
   * plus the lake's query policy (start/poll/read queries in that workgroup only, that Glue
   * database's tables, the lake tables' objects and the Athena results prefix).
   */
  bindAnalytics(lake: AnalyticsQueryAccess): void {
    this.function.addEnvironment('ATHENA_WORKGROUP', lake.workGroupName);
    this.function.addEnvironment('LAKE_DATABASE', lake.databaseName);
    if (lake.lakeBucketName) this.function.addEnvironment('LAKE_BUCKET', lake.lakeBucketName);
    this.role.addManagedPolicy(lake.queryPolicy);
  }

  /**
   * Lets the function write objects to one bucket: `<NAME>_BUCKET` env plus the bucket's writer
   * policy (defined next to the bucket in the stateful stack: PutObject only, and the KMS data key
   * usable only through S3).
   */
  bindBucketWriter(name: BucketName, { bucket, writerPolicy }: WritableBucket): void {
    this.function.addEnvironment(`${name.toUpperCase().replaceAll('-', '_')}_BUCKET`, bucket.bucketName);
    this.role.addManagedPolicy(writerPolicy);
  }

  /**
   * Subscribes a stream consumer to the table's change stream. Failed batches are bisected until the
   * poison record is isolated, then its position lands in an encrypted dead-letter queue for replay.
   */
  /** Invokes the function every `rateMinutes` (EventBridge rule on the default bus; retries twice, then a DLQ). */
  bindSchedule(entry: ScheduleEntry): void {
    const deadLetters = new Queue(this, 'ScheduleFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNagRule(deadLetters, 'SQS3', 'This queue is itself the dead-letter queue of the schedule rule.');
    new Rule(this, 'Schedule', {
      description: `${entry.name}: ${entry.summary}`,
      schedule: Schedule.rate(Duration.minutes(entry.rateMinutes)),
      targets: [new LambdaTarget(this.function, { retryAttempts: 2, maxEventAge: Duration.minutes(10), deadLetterQueue: deadLetters })],
    });
  }

  bindTableStream({ table, key }: EncryptedTable, entry: StreamConsumerEntry): void {
    const streamArn = table.tableStreamArn;
    if (!streamArn) throw new Error(`Table has no stream; ${entry.name} cannot consume it`);

    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
    // Stream records are encrypted with the table key.
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeNagRule(
        policy,
        'IAM5[Resource::*]',
        'Only actions without resource-level permissions use "*": xray:PutTraceSegments/PutTelemetryRecords (tracing) ' +
          'and dynamodb:ListStreams (required by the stream event source mapping).',
      );
    }

    const failureQueue = new Queue(this, 'StreamFailures', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNagRule(
      failureQueue,
      'SQS3',
      'This queue is itself the dead-letter (on-failure) destination of the stream event source mapping.',
    );

    this.function.addEventSourceMapping('TableStream', {
      eventSourceArn: streamArn,
      // The stream is the outbox: start at the oldest record so a new consumer misses nothing.
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: entry.batchSize,
      maxBatchingWindow: entry.maxBatchingWindowSeconds === undefined ? undefined : Duration.seconds(entry.maxBatchingWindowSeconds),
      // Event filtering: the function is invoked (and billed) only for the entities it handles.
      ...(entry.entities ? { filters: entityFilters(entry.entities) } : {}),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: 10,
      maxRecordAge: Duration.days(1),
      // Not SqsDlq: its grant adds wildcard KMS actions (kms:GenerateDataKey*, kms:ReEncrypt*).
      onFailure: {
        bind: () => {
          this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [failureQueue.queueArn] }));
          this.role.addToPrincipalPolicy(
            new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
          );
          return { destination: failureQueue.queueArn };
        },
      },
    });
  }
}

/** Lambda filter criteria matching records whose new or old image has one of the `entity` values. */
export function entityFilters(entities: readonly string[]): Array<Record<string, string>> {
  const values = [...entities];
  return [
    FilterCriteria.filter({ dynamodb: { NewImage: { entity: { S: FilterRule.or(...values) } } } }),
    FilterCriteria.filter({ dynamodb: { OldImage: { entity: { S: FilterRule.or(...values) } } } }),
  ];
}
