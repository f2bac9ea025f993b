import { readdirSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { fragmentSqlTemplate, LAKE_COLUMNS, LAKE_TABLES, reportSqlTemplate, SQL_FRAGMENT_NAMES, type ReportName } from '@crm/core';
import { manifest } from '@crm/manifest';
import { ATHENA_BYTES_SCANNED_CUTOFF, reportNamedQueries } from '../../infra/constructs/analytics-lake';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { synthAnalyticsTemplates } from './analytics-templates';
import { resourcesOf, tagOf } from './synth-crm';

/** The analytics lake: Glue tables with partition projection, the Athena workgroup, named queries, writer grants. */
describe('analytics lake infrastructure', () => {
  let stateful: Template;
  let analytics: Template;
  beforeAll(() => {
    ({ stateful, analytics } = synthAnalyticsTemplates());
  });

  const lakeBucketId = () => Object.keys(resourcesOf(stateful, 'AWS::S3::Bucket')).find((id) => id.startsWith('LakeBucket'))!;
  const dataKeyId = () => Object.keys(resourcesOf(stateful, 'AWS::KMS::Key')).find((id) => id.startsWith('DataKey'))!;

  it('has a Glue database crm_<stage> and one Parquet table per lake table, partitioned by tenant and dt through projection', () => {
    const databases = Object.values(resourcesOf(stateful, 'AWS::Glue::Database'));
    expect(databases.map((d) => (d.Properties!.DatabaseInput as { Name: string }).Name)).toEqual(['crm_dev']);
    expect(Object.keys(resourcesOf(stateful, 'AWS::Glue::Crawler'))).toEqual([]);
    const tables = Object.values(resourcesOf(stateful, 'AWS::Glue::Table')).map((t) => t.Properties as { DatabaseName: string; TableInput: Record<string, any> });
    expect(tables.map((t) => t.TableInput.Name).sort()).toEqual([...LAKE_TABLES].sort());
    for (const { DatabaseName, TableInput } of tables) {
      const name = TableInput.Name as (typeof LAKE_TABLES)[number];
      expect(DatabaseName).toBe('crm_dev');
      expect(TableInput.PartitionKeys).toEqual([{ Name: 'tenant', Type: 'string' }, { Name: 'dt', Type: 'string' }]);
      expect(TableInput.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
      expect(TableInput.StorageDescriptor.InputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
      expect(TableInput.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(LAKE_COLUMNS[name].map((c) => c.name));
      expect(TableInput.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.tenant.type': 'injected',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': expect.stringMatching(/^\d{4}-\d{2}-\d{2},NOW$/),
      });
      const template = JSON.stringify(TableInput.Parameters['storage.location.template']);
      expect(template).toContain(`/${name}/tenant=\${tenant}/dt=\${dt}/`);
      expect(template).toContain(lakeBucketId());
    }
    const snapshots = tables.find((t) => t.TableInput.Name === 'customer_snapshots')!;
    expect(snapshots.TableInput.StorageDescriptor.Columns).toEqual(expect.arrayContaining([{ Name: 'tags', Type: 'array<string>' }, { Name: 'deleted', Type: 'boolean' }]));
    const orders = tables.find((t) => t.TableInput.Name === 'orders')!;
    expect(orders.TableInput.StorageDescriptor.Columns).toEqual(expect.arrayContaining([{ Name: 'amount', Type: 'decimal(18,2)' }, { Name: 'ordered_at', Type: 'timestamp' }]));
  });

  it('has an Athena workgroup crm-<stage> that enforces a bytes-scanned limit and SSE-KMS results under athena-results/', () => {
    const workgroups = Object.values(resourcesOf(stateful, 'AWS::Athena::WorkGroup'));
    expect(workgroups).toHaveLength(1);
    const props = workgroups[0]!.Properties as { Name: string; WorkGroupConfiguration: Record<string, any> };
    expect(props.Name).toBe('crm-dev');
    expect(props.WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: ATHENA_BYTES_SCANNED_CUTOFF,
      ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [dataKeyId(), 'Arn'] } } },
    });
    const output = JSON.stringify(props.WorkGroupConfiguration.ResultConfiguration.OutputLocation);
    expect(output).toContain(lakeBucketId());
    expect(output).toContain('/athena-results/');
    expect(ATHENA_BYTES_SCANNED_CUTOFF).toBeLessThanOrEqual(10 * 1024 ** 3);
  });

  it('has a named query per report SQL file, in the workgroup, in Athena dialect', () => {
    const expected = reportNamedQueries('crm_dev');
    const named = Object.values(resourcesOf(stateful, 'AWS::Athena::NamedQuery')).map((q) => q.Properties as Record<string, string>);
    expect(named.map((q) => q.Name).sort()).toEqual(expected.map((q) => `crm-dev-${q.name}`).sort());
    for (const query of named) {
      expect(query).toMatchObject({ Database: 'crm_dev', WorkGroup: 'crm-dev' });
      expect(query.QueryString!.replace(/--[^\n]*/g, '')).not.toMatch(/\{\{|(?<![:\w]):[a-z_]/);
    }
  });

  it('renders every report SQL file for Athena with the core dialect shim (tables, fragments inlined, ? parameters)', () => {
    const files = readdirSync(new URL('../../packages/core/src/analytics/sql/', import.meta.url)).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -4));
    const queries = reportNamedQueries('crm_dev');
    expect(queries.map((q) => q.name).sort()).toEqual(files.sort());
    const sources = (name: string) => [reportSqlTemplate(name as ReportName), ...SQL_FRAGMENT_NAMES.map(fragmentSqlTemplate)].join('\n');
    for (const query of queries) {
      expect(query.sql).toContain('"crm_dev".');
      expect(query.sql).not.toMatch(/read_parquet|\{\{|--|(?<![:\w]):[a-z_]/);
      expect(query.parameters).toContain('tenant_id');
      expect(query.sql.split('?').length - 1).toBe(query.parameters.length);
      for (const name of query.parameters) expect(sources(query.name)).toContain(`:${name}`);
    }
  });

  it('grants the lake functions read/write/delete under the lake table prefixes only, and nothing else gets it', () => {
    const [policyId, policy] = Object.entries(resourcesOf(stateful, 'AWS::IAM::ManagedPolicy')).find(([id]) => id.includes('LakeWriterPolicy'))!;
    const statements = (policy.Properties!.PolicyDocument as { Statement: Array<Record<string, any>> }).Statement;
    const objects = statements.find((s) => JSON.stringify(s.Action).includes('s3:PutObject'))!;
    expect(objects.Action).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(objects.Resource)).not.toContain('athena-results');
    expect((objects.Resource as unknown[]).map((r: unknown) => JSON.stringify(r).match(/\/([a-z_]+)\/\*/)?.[1]).sort()).toEqual([...LAKE_TABLES].sort());
    const list = statements.find((s) => s.Action === 's3:ListBucket')!;
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': LAKE_TABLES.map((t) => `${t}/*`) } });

    const users = manifest.filter((e) => e.buckets?.includes('lake')).map((e) => e.name).sort();
    expect(users).toEqual(['compact-lake', 'export-to-lake']);
    const roles = Object.entries(resourcesOf(analytics, 'AWS::IAM::Role'));
    for (const [roleId, role] of roles) {
      const attached = JSON.stringify(role.Properties!.ManagedPolicyArns ?? []);
      expect(attached.includes(policyId), roleId).toBe(users.includes(tagOf(role, MANIFEST_ENTRY_TAG) ?? ''));
    }
    const fn = Object.values(resourcesOf(analytics, 'AWS::Lambda::Function')).find((f) => tagOf(f, MANIFEST_ENTRY_TAG) === 'export-to-lake')!;
    expect(Object.keys((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables)).toContain('LAKE_BUCKET');
  });

  it('offers a query policy: this workgroup, this database, lake reads and result writes under athena-results/ only', () => {
    const [, policy] = Object.entries(resourcesOf(stateful, 'AWS::IAM::ManagedPolicy')).find(([id]) => id.includes('LakeQueryPolicy'))!;
    const statements = (policy.Properties!.PolicyDocument as { Statement: Array<Record<string, any>> }).Statement;
    const athena = statements.find((st) => JSON.stringify(st.Action).includes('athena:StartQueryExecution'))!;
    expect(JSON.stringify(athena.Resource)).toContain(':workgroup/crm-dev');
    const glue = statements.find((st) => JSON.stringify(st.Action).includes('glue:GetTable'))!;
    expect(JSON.stringify(glue.Resource)).toContain(':database/crm_dev');
    const writes = statements.find((st) => JSON.stringify(st.Action).includes('s3:PutObject'))!;
    expect(JSON.stringify(writes.Resource)).toContain('/athena-results/*');
    expect(JSON.stringify(writes.Resource)).not.toMatch(/\/(orders|interactions|deal_stage_changes|customer_snapshots)\//);
    expect(JSON.stringify(statements)).not.toMatch(/s3:DeleteObject|"\*"/);
  });

  it('runs the functions shipping DuckDB (the lake writers) on x86_64, the only architecture of the shipped binary, and the other analytics functions on arm64', () => {
    const shipping = manifest.filter((e) => e.nativePackages?.includes('@duckdb/node-api')).map((e) => e.name).sort();
    expect(shipping).toEqual(['compact-lake', 'export-to-lake']);
    const functions = Object.values(resourcesOf(analytics, 'AWS::Lambda::Function')).filter((f) => tagOf(f, MANIFEST_ENTRY_TAG));
    expect(functions.length).toBeGreaterThan(shipping.length);
    for (const fn of functions) {
      expect(fn.Properties!.Architectures, tagOf(fn, MANIFEST_ENTRY_TAG)).toEqual([shipping.includes(tagOf(fn, MANIFEST_ENTRY_TAG)!) ? 'x86_64' : 'arm64']);
    }
  });

  it('consumes the table stream for the lake entities in batches of 1000 within 60 s', () => {
    // The analytics stack also holds the query runner and the dashboard consumer (test/infra/analytics-queries.test.ts).
    const mappings = Object.values(resourcesOf(analytics, 'AWS::Lambda::EventSourceMapping')).map((m) => m.Properties as Record<string, any>)
      .filter((m) => JSON.stringify(m.FunctionName).includes('ExportToLake'));
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({ BatchSize: 1000, MaximumBatchingWindowInSeconds: 60, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const filters = JSON.stringify(mappings[0]!.FilterCriteria);
    for (const entity of ['customer', 'interaction', 'order', 'deal']) expect(filters).toContain(`\\"${entity}\\"`);
  });
});

