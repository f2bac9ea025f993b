import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAKE_COLUMNS, LAKE_TABLES, type LakeColumnType, type LakeTable } from '@crm/core';
import { acknowledgeNagRule } from '../nag';

/** Where Athena writes query results in the lake bucket (SSE-KMS, expired after ATHENA_RESULTS_EXPIRY_DAYS). */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';
export const ATHENA_RESULTS_EXPIRY_DAYS = 30;
/** Per-query scan limit of the workgroup: a runaway query is cancelled instead of billed. */
export const ATHENA_BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;
/** First day partition projection enumerates (queries always bound dt; this only caps the range). */
export const LAKE_PROJECTION_START = '2024-01-01';
/** The report SQL files (one source for DuckDB and Athena), read at synth time. */
export const REPORT_SQL_DIR = fileURLToPath(new URL('../../packages/core/src/analytics/sql/', import.meta.url));

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
  /** Report name (the .sql file's stem). */
  name: string;
  /** Athena SQL: lake tables as `"<database>"."<table>"`, parameters as `?` in `parameters` order. */
  sql: string;
  parameters: string[];
}

/**
 * The report SQL of `dir` (`<report>.sql`) in Athena's dialect: `{{table}}` holes become the Glue
 * table, `{{median(x)}}` becomes `approx_percentile(x, 0.5)` (Trino has no exact median) and
 * `:name` parameters become `?` execution parameters — the same holes the DuckDB side fills (see
 * renderSql in @crm/core). Reads the folder at synth time, so new reports need no infra change.
 */
export function reportNamedQueries(database: string, dir: string = REPORT_SQL_DIR): ReportNamedQuery[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const template = readFileSync(`${dir}/${file}`, 'utf8');
      const parameters: string[] = [];
      const sql = replaceOutsideLiterals(template, (code) =>
        code
          .replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (hole, table: string) => {
            if (!(LAKE_TABLES as readonly string[]).includes(table)) throw new Error(`${file}: unknown lake table ${hole}`);
            return `"${database}"."${table}"`;
          })
          .replace(/\{\{\s*median\((.*?)\)\s*\}\}/g, (_hole, expr: string) => `approx_percentile(${expr.trim()}, 0.5)`)
          .replace(/(?<![:\w]):([a-z_][a-z0-9_]*)/g, (_m, name: string) => {
            parameters.push(name);
            return '?';
          }),
      );
      if (/\{\{/.test(sql)) throw new Error(`${file}: a dialect hole the Athena rendering does not know`);
      return { name: file.slice(0, -'.sql'.length), sql, parameters };
    });
}

/** Applies `rewrite` to the SQL outside string literals, quoted identifiers and `--` comments. */
function replaceOutsideLiterals(sql: string, rewrite: (code: string) => string): string {
  const parts = sql.split(/('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*)/);
  return parts.map((part, i) => (i % 2 === 1 ? part : rewrite(part))).join('');
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
  }
}
