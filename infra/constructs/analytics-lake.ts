import { Duration, Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  fragmentSqlTemplate,
  inlineFragment,
  LAKE_COLUMNS,
  LAKE_TABLES,
  renderSql,
  REPORT_NAMES,
  reportSqlTemplate,
  SQL_FRAGMENT_NAMES,
  type LakeColumnType,
  type LakeTable,
} from '@crm/core';
import { acknowledgeNagRule } from '../nag';

/** Where Athena writes query results in the lake bucket (SSE-KMS, expired after ATHENA_RESULTS_EXPIRY_DAYS). */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';
export const ATHENA_RESULTS_EXPIRY_DAYS = 30;
/** Per-query scan limit of the workgroup: a runaway query is cancelled instead of billed. */
export const ATHENA_BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;
/** First day partition projection enumerates (queries always bound dt; this only caps the range). */
export const LAKE_PROJECTION_START = '2024-01-01';

/** Glue (Hive DDL) type of a lake column. */
export function lakeColumnGlueType(type: LakeColumnType): string {
  switch (type) {
    case 'VARCHAR': return 'string';
    case 'DECIMAL(18,2)': return 'decimal(18,2)';
    case 'TIMESTAMP': return 'timestamp';
    case 'INTEGER': return 'int';
    case 'BIGINT': return 'bigint';
    case 'BOOLEAN': return 'boolean';
    case 'VARCHAR[]': return 'array<string>';
  }
}

/** Glue database name of a stage: `crm_<stage>` (Glue/Athena names: lower case, digits, underscores). */
export function lakeDatabaseName(stage: string): string {
  return `crm_${stage.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

export interface ReportNamedQuery {
  /** Report name (REPORT_NAMES). */
  name: string;
  /** Athena SQL: lake tables as `"<database>"."<table>"`, parameters as `?` in `parameters` order. */
  sql: string;
  parameters: string[];
}

/**
 * Every report's SQL (packages/core/src/analytics/sql/<report>.sql, the one source for DuckDB and
 * Athena) rendered for Athena by the core's dialect shim: lake tables become the Glue tables,
 * fragments are inlined (Athena always runs the full computation), `{{median(x)}}` becomes
 * `approx_percentile`, and `:name` parameters become `?` execution parameters, listed in order.
 */
export function reportNamedQueries(database: string): ReportNamedQuery[] {
  return REPORT_NAMES.map((report) => {
    const template = reportSqlTemplate(report);
    // Every `:name` the report or a fragment may use (casts like `::INTEGER` add harmless extras).
    const text = [template, ...SQL_FRAGMENT_NAMES.map(fragmentSqlTemplate)].join('\n');
    const params = Object.fromEntries([...text.matchAll(/:([a-z_][a-z0-9_]*)/g)].map((m) => [m[1]!, '']));
    const rendered = renderSql(withoutLineComments(template), {
      dialect: 'athena',
      table: (table) => `"${database}"."${table}"`,
      params,
      // Comments dropped: they may quote holes (`{{fragment}}`) that must not be filled twice.
      fragment: (name) => withoutLineComments(inlineFragment(name)),
    });
    return { name: report, sql: rendered.sql, parameters: rendered.names };
  });
}

/** The SQL without `--` comments (string literals and quoted identifiers left intact) and blank lines. */
function withoutLineComments(sql: string): string {
  const parts = sql.split(/('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*)/);
  return parts
    .map((part, i) => (i % 2 === 1 && part.startsWith('--') ? '' : part))
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('\n');
}

export interface AnalyticsLakeProps {
  stage: string;
  /** The lake bucket (SSE-KMS with `key`). */
  bucket: Bucket;
  key: IKey;
  /** Report named queries (default: the report SQL files, see reportNamedQueries). */
  namedQueries?: ReportNamedQuery[];
}

/**
 * The query side of the lake: a Glue database `crm_<stage>` with one table per lake table
 * (Parquet, partitions tenant + dt resolved by partition projection — no crawlers, no partition
 * registration), an Athena workgroup `crm-<stage>` that enforces its settings (per-query
 * bytes-scanned cutoff, SSE-KMS results under `athena-results/` of the lake bucket) and a named
 * query per report. Also the lake-writer policy the export and compaction functions get.
 */
export class AnalyticsLake extends Construct {
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly database: CfnDatabase;
  readonly tables = new Map<LakeTable, CfnTable>();
  readonly workGroup: CfnWorkGroup;
  readonly namedQueries: CfnNamedQuery[] = [];
  /**
   * Read, write, delete and list under the lake tables' prefixes (export appends files, compaction
   * reads and replaces them); the data key usable through S3 only.
   */
  readonly writerPolicy: ManagedPolicy;
  /**
   * Run the reports on Athena: start/poll/read queries in this workgroup only, read the Glue
   * catalog entries of this database, read the lake tables and write/read results under
   * `athena-results/` (Athena acts on S3 with the caller's credentials), the data key through S3 only.
   */
  readonly queryPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: AnalyticsLakeProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const bucketName = props.bucket.bucketName;
    this.databaseName = lakeDatabaseName(props.stage);
    this.workGroupName = `crm-${props.stage}`;

    this.database = new CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: `CRM ${props.stage}: analytics lake (Parquet, partitions tenant/dt by projection)` },
    });

    for (const table of LAKE_TABLES) {
      const location = `s3://${bucketName}/${table}/`;
      const glueTable = new CfnTable(this, `Table${table.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}`, {
        catalogId: stack.account,
        databaseName: this.databaseName,
        tableInput: {
          name: table,
          description: `Lake table ${table} (one Parquet file per export batch, compacted daily)`,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            classification: 'parquet',
            'parquet.compression': 'ZSTD',
            EXTERNAL: 'TRUE',
            'projection.enabled': 'true',
            // Tenant ids are not enumerable: every query names its tenant (`WHERE tenant = ...`).
            'projection.tenant.type': 'injected',
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': `${LAKE_PROJECTION_START},NOW`,
            'projection.dt.interval': '1',
            'projection.dt.interval.unit': 'DAYS',
            'storage.location.template': `${location}tenant=\${tenant}/dt=\${dt}/`,
          },
          partitionKeys: [
            { name: 'tenant', type: 'string' },
            { name: 'dt', type: 'string' },
          ],
          storageDescriptor: {
            location,
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: {
              serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
              parameters: { 'serialization.format': '1' },
            },
            columns: LAKE_COLUMNS[table].map((c) => ({ name: c.name, type: lakeColumnGlueType(c.type) })),
          },
        },
      });
      glueTable.addResourceDependency(this.database);
      this.tables.set(table, glueTable);
    }

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: `CRM ${props.stage}: analytics reports over the lake`,
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        // Clients cannot override the limit, result location or encryption below.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: ATHENA_BYTES_SCANNED_CUTOFF,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
        },
      },
    });
    props.bucket.addLifecycleRule({ id: 'expire-athena-results', prefix: ATHENA_RESULTS_PREFIX, expiration: Duration.days(ATHENA_RESULTS_EXPIRY_DAYS) });

    for (const query of props.namedQueries ?? reportNamedQueries(this.databaseName)) {
      const named = new CfnNamedQuery(this, `Query${query.name.replace(/(^|[-_])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase())}`, {
        name: `crm-${props.stage}-${query.name}`,
        description: (`Report ${query.name}` + (query.parameters.length > 0 ? `; execution parameters in order: ${query.parameters.join(', ')}` : '')).slice(0, 1024),
        database: this.databaseName,
        workGroup: this.workGroupName,
        queryString: query.sql,
      });
      named.addResourceDependency(this.workGroup);
      named.addResourceDependency(this.database);
      this.namedQueries.push(named);
    }

    const tablePrefixes = LAKE_TABLES.map((table) => `${table}/`);
    this.writerPolicy = new ManagedPolicy(this, 'LakeWriterPolicy', {
      description: `CRM ${props.stage}: append to and compact the analytics lake tables`,
      statements: [
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
          resources: tablePrefixes.map((prefix) => props.bucket.arnForObjects(`${prefix}*`)),
        }),
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [props.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': tablePrefixes.map((prefix) => `${prefix}*`) } },
        }),
        new PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    const bucketId = stack.getLogicalId(props.bucket.node.defaultChild as CfnBucket);
    for (const prefix of tablePrefixes) {
      acknowledgeNagRule(
        this.writerPolicy,
        `IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        `Object keys are per partition and batch (${prefix}tenant=<t>/dt=<d>/<batch>.parquet); the grant covers only this lake table's prefix of this one bucket.`,
      );
    }

    const catalogArn = (resource: string) => stack.formatArn({ service: 'glue', resource, resourceName: resource === 'catalog' ? undefined : this.databaseName });
    this.queryPolicy = new ManagedPolicy(this, 'LakeQueryPolicy', {
      description: `CRM ${props.stage}: run the analytics reports on Athena over the lake`,
      statements: [
        new PolicyStatement({
          actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:GetQueryRuntimeStatistics', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
          resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName })],
        }),
        new PolicyStatement({
          actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
          resources: [
            catalogArn('catalog'),
            catalogArn('database'),
            ...LAKE_TABLES.map((table) => stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${table}` })),
          ],
        }),
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [...tablePrefixes, ATHENA_RESULTS_PREFIX].map((prefix) => props.bucket.arnForObjects(`${prefix}*`)),
        }),
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: [props.bucket.arnForObjects(`${ATHENA_RESULTS_PREFIX}*`)],
        }),
        new PolicyStatement({
          actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
          resources: [props.bucket.bucketArn],
        }),
        new PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    for (const prefix of [...tablePrefixes, ATHENA_RESULTS_PREFIX]) {
      acknowledgeNagRule(
        this.queryPolicy,
        `IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        `Athena reads every object of the queried partitions (${prefix}…) and writes its results under ${ATHENA_RESULTS_PREFIX}; the grant covers only these prefixes of this one bucket.`,
      );
    }
  }
}
