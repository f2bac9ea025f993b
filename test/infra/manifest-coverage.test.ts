import { beforeAll, describe, expect, it } from 'vitest';
import { manifest, type ManifestEntry } from '@crm/manifest';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { pascalCase } from '../../infra/naming';
import { manifestWithStreamConsumer } from './fixture-manifests';
import { crossStackReferences, policyStatements, resourcePaths, resourcesOf, synthCrm, tagOf, type SynthResult } from './synth-crm';

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const STREAM_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];

type Resource = ReturnType<typeof resourcesOf>[string];

describe.each([
  ['the real manifest', manifest],
  ['the manifest with stream consumers', manifestWithStreamConsumer],
])('every entry of %s is in the synthesized templates', (_label, entries: readonly ManifestEntry[]) => {
  let synth: SynthResult;
  beforeAll(() => {
    synth = synthCrm({ manifest: entries });
  });

  const template = (stackName: string) => {
    const found = synth.templates.get(stackName);
    if (!found) throw new Error(`No stack ${stackName}; stacks: ${[...synth.templates.keys()].join(', ')}`);
    return found;
  };
  const contextStackName = (entry: ManifestEntry) => `Crm-dev-${pascalCase(entry.context)}`;

  /** The entry's function, found by its manifest tag in its bounded context's stack. */
  const functionOf = (entry: ManifestEntry): { logicalId: string; resource: Resource } => {
    const functions = Object.entries(resourcesOf(template(contextStackName(entry)), 'AWS::Lambda::Function')).filter(
      ([, resource]) => tagOf(resource, MANIFEST_ENTRY_TAG) === entry.name,
    );
    expect(functions, `functions tagged ${entry.name}`).toHaveLength(1);
    const [logicalId, resource] = functions[0]!;
    return { logicalId, resource };
  };

  /** True when `value` refers to the ARN the entry's context stack publishes for its function. */
  const referencesFunction = (value: unknown, entry: ManifestEntry): boolean => {
    const { logicalId } = functionOf(entry);
    return crossStackReferences(value).some((name) => name.startsWith(`${contextStackName(entry)}:`) && name.includes(logicalId));
  };

  /** Every action the function's role may perform. */
  const actionsOf = (entry: ManifestEntry): string[] => {
    const { resource } = functionOf(entry);
    const roleId = (resource.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const policies = resourcesOf(template(contextStackName(entry)), 'AWS::IAM::Policy');
    return Object.values(policies)
      .filter((policy) => (policy.Properties!.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId))
      .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[] }> }).Statement)
      .flatMap((statement) => [statement.Action].flat());
  };

  it('has one function per entry and no function outside the manifest', () => {
    const tagged = [...synth.templates.values()].flatMap((t) =>
      Object.values(resourcesOf(t, 'AWS::Lambda::Function')).map((resource) => tagOf(resource, MANIFEST_ENTRY_TAG)),
    );
    expect(tagged.sort()).toEqual(entries.map((entry) => entry.name).sort());
  });

  it.each(entries.map((entry) => [entry.name, entry] as const))('%s: function defaults', (_name, entry) => {
    const properties = functionOf(entry).resource.Properties!;
    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      // Graviton, except entries shipping native Linux x64 binaries (ADR 0037).
      Architectures: [entry.nativePackages?.length ? 'x86_64' : 'arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
    });
    const variables = (properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      CRM_RUNTIME: 'aws',
      POWERTOOLS_SERVICE_NAME: `crm-${entry.context}`,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(crossStackReferences(variables.TABLE_NAME)).toHaveLength(1);
  });

  it.each(entries.map((entry) => [entry.name, entry] as const))('%s: least-privilege table access', (_name, entry) => {
    const dynamoActions = actionsOf(entry).filter((action) => action.startsWith('dynamodb:'));
    const tableActions = dynamoActions.filter((action) => !STREAM_ACTIONS.includes(action));
    if (entry.kind === 'http') {
      // Request handlers reach the table only through the tenant role (test/infra/tenant-isolation.test.ts).
      expect(dynamoActions).toEqual([]);
      const variables = (functionOf(entry).resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      if (entry.table === 'none') expect(variables.TENANT_ROLE_ARN).toBeUndefined();
      else expect(actionsOf(entry)).toEqual(expect.arrayContaining(['sts:AssumeRole', 'sts:TagSession']));
      return;
    }
    if (entry.table === 'none') expect(tableActions).toEqual([]);
    if (entry.table === 'read') expect(tableActions.sort()).toEqual([...READ_ACTIONS].sort());
    if (entry.table === 'read-write') {
      expect(tableActions).toEqual(expect.arrayContaining([...READ_ACTIONS, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']));
    }
    if (entry.table !== 'read-write') expect(tableActions.filter((action) => WRITE_ACTIONS.includes(action))).toEqual([]);
    if (entry.kind !== 'stream') expect(dynamoActions.filter((action) => STREAM_ACTIONS.includes(action))).toEqual([]);
  });

  const httpEntries = entries.filter((entry) => entry.kind === 'http');
  it.each(httpEntries.map((entry) => [`${entry.method} ${entry.path}`, entry] as const))('%s: API method', (_route, entry) => {
    const api = template('Crm-dev-Api');
    const paths = resourcePaths(api);
    const methods = Object.values(resourcesOf(api, 'AWS::ApiGateway::Method')).filter((method) => {
      const properties = method.Properties as { HttpMethod: string; ResourceId: { Ref?: string } };
      return properties.HttpMethod === entry.method && properties.ResourceId.Ref !== undefined && paths.get(properties.ResourceId.Ref) === entry.path;
    });
    expect(methods, `${entry.method} ${entry.path}`).toHaveLength(1);
    const method = methods[0]!.Properties as Record<string, unknown>;

    const integration = method.Integration as { Type: string; IntegrationHttpMethod: string; Uri: unknown };
    expect(integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
    expect(referencesFunction(integration.Uri, entry), 'integration targets the entry function').toBe(true);

    if (entry.auth.type === 'jwt') {
      expect(method.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(method.AuthorizationScopes).toEqual(entry.auth.scopes);
      const authorizerId = (method.AuthorizerId as { Ref: string }).Ref;
      expect(resourcesOf(api)[authorizerId]).toMatchObject({ Type: 'AWS::ApiGateway::Authorizer', Properties: { Type: 'COGNITO_USER_POOLS' } });
    } else {
      expect(method.AuthorizationType).toBe('NONE');
      expect(method.AuthorizationScopes).toBeUndefined();
      expect(method.AuthorizerId).toBeUndefined();
    }

    const permissions = Object.values(resourcesOf(api, 'AWS::Lambda::Permission')).filter((permission) =>
      referencesFunction(permission.Properties!.FunctionName, entry),
    );
    // Exactly one: the deployed stage's method; no test-invoke permission.
    expect(permissions).toHaveLength(1);
    expect(permissions[0]!.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
    expect(JSON.stringify(permissions[0]!.Properties!.SourceArn)).toContain(`/${entry.method}/`);
  });

  it('has no API method that is not in the manifest', () => {
    expect(Object.keys(resourcesOf(template('Crm-dev-Api'), 'AWS::ApiGateway::Method'))).toHaveLength(httpEntries.length);
  });

  const streamEntries = entries.filter((entry) => entry.kind === 'stream');
  if (streamEntries.length > 0) {
    it.each(streamEntries.map((entry) => [entry.name, entry] as const))('%s: table stream subscription', (_name, entry) => {
      const stack = template(contextStackName(entry));
      const { logicalId } = functionOf(entry);
      const mappings = Object.values(resourcesOf(stack, 'AWS::Lambda::EventSourceMapping')).filter(
        (mapping) => (mapping.Properties!.FunctionName as { Ref: string }).Ref === logicalId,
      );
      expect(mappings).toHaveLength(1);
      const mapping = mappings[0]!.Properties!;
      expect(mapping).toMatchObject({
        BatchSize: entry.batchSize,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: expect.any(Number),
        StartingPosition: 'TRIM_HORIZON',
      });
      expect(crossStackReferences(mapping.EventSourceArn).some((name) => name.startsWith('Crm-dev-Stateful:') && name.includes('StreamArn'))).toBe(true);

      const destination = (mapping.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } }).OnFailure.Destination;
      const queueId = destination['Fn::GetAtt'][0];
      expect(resourcesOf(stack)[queueId]).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: expect.anything() } });
      const queuePolicies = Object.values(resourcesOf(stack, 'AWS::SQS::QueuePolicy')).filter((policy) =>
        JSON.stringify(policy.Properties!.Queues).includes(queueId),
      );
      expect(JSON.stringify(queuePolicies)).toContain('"aws:SecureTransport":"false"');
      expect(actionsOf(entry)).toEqual(expect.arrayContaining([...STREAM_ACTIONS, 'sqs:SendMessage']));
    });
  }

  const triggerEntries = entries.filter((entry) => entry.kind === 'cognito-trigger');
  it.each(triggerEntries.map((entry) => [entry.name, entry] as const))('%s: user pool trigger', (_name, entry) => {
    const identity = template('Crm-dev-Identity');
    const pools = Object.values(resourcesOf(identity, 'AWS::Cognito::UserPool'));
    expect(pools).toHaveLength(1);
    const config = (pools[0]!.Properties!.LambdaConfig as { PreTokenGenerationConfig: { LambdaArn: unknown; LambdaVersion: string } })
      .PreTokenGenerationConfig;
    expect(config.LambdaVersion).toBe('V3_0');
    expect(referencesFunction(config.LambdaArn, entry)).toBe(true);
    const permissions = Object.values(resourcesOf(identity, 'AWS::Lambda::Permission')).filter((permission) =>
      referencesFunction(permission.Properties!.FunctionName, entry),
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]!.Properties).toMatchObject({ Principal: 'cognito-idp.amazonaws.com' });
  });

  it('grants no wildcard action, Scan or PartiQL anywhere', () => {
    for (const [stackName, t] of synth.templates) {
      const inline = Object.values(resourcesOf(t, 'AWS::IAM::Role')).flatMap((role) =>
        ((role.Properties!.Policies ?? []) as Array<{ PolicyDocument: { Statement: Array<{ Action: string | string[] }> } }>).flatMap(
          (policy) => policy.PolicyDocument.Statement.flatMap((statement) => [statement.Action].flat()),
        ),
      );
      const actions = [...policyStatements(t).flatMap((statement) => statement.Action), ...inline];
      expect(actions.filter((action) => action.includes('*')), stackName).toEqual([]);
      expect(actions.filter((action) => action === 'dynamodb:Scan' || action.startsWith('dynamodb:PartiQL')), stackName).toEqual([]);
    }
  });
});
