import { Duration, Stack, Tags } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  CfnFunction,
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
import type { ManifestEntry, StreamConsumerEntry, TableAccess } from '@crm/manifest';
import { acknowledgeNagRule } from '../nag';

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
};

/**
 * IAM actions per table access level. Transactions (TransactWriteItems/TransactGetItems) are not
 * IAM actions: DynamoDB authorizes each item of a transaction with the per-item action below.
 * Scan and PartiQL are never granted, so no request path can read across tenants by accident.
 */
const TABLE_ACTIONS: Record<Exclude<TableAccess, 'none'>, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  'read-write': [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ],
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
      architecture: Architecture.ARM_64,
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
   * schema requires it in AWS mode; with `none` no permission comes with it.
   */
  bindTable({ table, key }: EncryptedTable, access: TableAccess): void {
    this.function.addEnvironment('TABLE_NAME', table.tableName);
    if (access === 'none') return;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: TABLE_ACTIONS[access],
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
   * Subscribes a stream consumer to the table's change stream. Failed batches are bisected until the
   * poison record is isolated, then its position lands in an encrypted dead-letter queue for replay.
   */
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
