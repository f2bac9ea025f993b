/**
 * Tenant-scoped IAM ("token vending machine", docs/adr/0007) and the API edge (WAF, usage plan,
 * gateway 429s), asserted on the synthesized templates.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { INDEX_NAMES } from '@crm/core';
import { RATE_LIMITS, WAF_RATE_LIMITS, type ManifestEntry } from '@crm/manifest';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { TENANT_ACCESS_ROLE_TAG, TENANT_TABLE_ACTIONS } from '../../infra/constructs/tenant-data-access';
import { pascalCase } from '../../infra/naming';
import { manifestWithStreamConsumer } from './fixture-manifests';
import { crossStackReferences, resourcesOf, synthCrm, tagOf, type SynthResult } from './synth-crm';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>>; Principal?: unknown };
type RoleResource = { Properties: { AssumeRolePolicyDocument: { Statement: Statement[] }; Policies?: Array<{ PolicyName: string; PolicyDocument: { Statement: Statement[] } }>; Tags?: Array<{ Key: string; Value: string }> } };

const actions = (statement: Statement) => [statement.Action].flat();
const DATA_ACTION = /^dynamodb:(?!DescribeStream|GetRecords|GetShardIterator|ListStreams)/;

let synth: SynthResult;
let stateful: Template;
beforeAll(() => {
  synth = synthCrm({ manifest: manifestWithStreamConsumer });
  stateful = synth.templates.get('Crm-dev-Stateful')!;
});

/** The tenant roles by access level, identified by their table actions. */
function tenantRoles(): Record<'read' | 'read-write', { logicalId: string; role: RoleResource }> {
  const found: Partial<Record<'read' | 'read-write', { logicalId: string; role: RoleResource }>> = {};
  for (const [logicalId, resource] of Object.entries(resourcesOf(stateful, 'AWS::IAM::Role'))) {
    const role = resource as unknown as RoleResource;
    const items = role.Properties.Policies?.find((policy) => policy.PolicyName === 'TenantItems');
    if (!items) continue;
    const tableActions = actions(items.PolicyDocument.Statement[0]!);
    found[tableActions.includes('dynamodb:PutItem') ? 'read-write' : 'read'] = { logicalId, role };
  }
  expect(Object.keys(found).sort()).toEqual(['read', 'read-write']);
  return found as Record<'read' | 'read-write', { logicalId: string; role: RoleResource }>;
}

describe('tenant data-access roles', () => {
  it.each(['read', 'read-write'] as const)('%s: allows its table actions only on keys of the session tenant', (access) => {
    const { role } = tenantRoles()[access];
    const [items, key] = role.Properties.Policies!.find((policy) => policy.PolicyName === 'TenantItems')!.PolicyDocument.Statement;

    expect(actions(items!).sort()).toEqual([...TENANT_TABLE_ACTIONS[access]].sort());
    expect(items!.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['T#${aws:PrincipalTag/tenantId}#*'] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    });
    // The table and each index by name, nothing else.
    const resources = JSON.stringify(items!.Resource);
    for (const index of INDEX_NAMES) expect(resources).toContain(`/index/${index}`);
    expect(resources).not.toContain('*');
    expect(key!.Condition).toMatchObject({ StringEquals: { 'kms:ViaService': expect.anything() } });
  });

  it('lets read roles not write', () => {
    const { role } = tenantRoles().read;
    const all = role.Properties.Policies!.flatMap((policy) => policy.PolicyDocument.Statement.flatMap(actions));
    expect(all.filter((action) => /Put|Update|Delete|BatchWrite/.test(action))).toEqual([]);
  });

  it.each(['read', 'read-write'] as const)('%s: is assumable only with a tenant session tag by tagged roles of this stage', (access) => {
    const { role } = tenantRoles()[access];
    const trust = role.Properties.AssumeRolePolicyDocument.Statement;

    expect(trust).toHaveLength(1);
    expect(actions(trust[0]!).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(trust[0]!.Condition).toMatchObject({
      StringEquals: { [`aws:PrincipalTag/${TENANT_ACCESS_ROLE_TAG}`]: access },
      ArnLike: { 'aws:PrincipalArn': expect.anything() },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenantId'] },
      StringLike: { 'aws:RequestTag/tenantId': '?*' },
    });
  });
});

describe('function roles', () => {
  const entries = manifestWithStreamConsumer;
  const functionRole = (entry: ManifestEntry) => {
    const stack = synth.templates.get(`Crm-dev-${pascalCase(entry.context)}`)!;
    const [, fn] = Object.entries(resourcesOf(stack, 'AWS::Lambda::Function')).find(([, resource]) => tagOf(resource, MANIFEST_ENTRY_TAG) === entry.name)!;
    const roleId = (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = Object.values(resourcesOf(stack, 'AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties!.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId))
      .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
    const role = resourcesOf(stack)[roleId]!;
    return { fn, statements, tag: tagOf(role, TENANT_ACCESS_ROLE_TAG) };
  };

  const handlers = entries.filter((entry) => entry.kind === 'http' && entry.table !== 'none');
  it.each(handlers.map((entry) => [entry.name, entry] as const))('%s: has no table data permission, only its tenant role', (_name, entry) => {
    const { fn, statements, tag } = functionRole(entry);
    const { logicalId } = tenantRoles()[entry.table as 'read' | 'read-write'];

    expect(statements.flatMap(actions).filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
    const sts = statements.filter((statement) => actions(statement).some((action) => action.startsWith('sts:')));
    expect(sts).toHaveLength(1);
    expect(actions(sts[0]!).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(crossStackReferences(sts[0]!.Resource).join()).toContain(logicalId);
    expect(tag).toBe(entry.table);
    const variables = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(crossStackReferences(variables.TENANT_ROLE_ARN).join()).toContain(logicalId);
  });

  it('keeps direct least-privilege grants for stream consumers (they are not bound to one tenant)', () => {
    const consumer = entries.find((entry) => entry.kind === 'stream' && entry.table === 'read-write')!;
    const { statements, tag } = functionRole(consumer);
    const data = statements.flatMap(actions).filter((action) => DATA_ACTION.test(action));

    expect(data).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:PutItem']));
    expect(statements.flatMap(actions).filter((action) => action.startsWith('sts:'))).toEqual([]);
    expect(tag).toBeUndefined();
  });

  it('grants Scan and PartiQL to nobody', () => {
    for (const [stackName, template] of synth.templates) {
      const json = JSON.stringify(template.toJSON());
      expect(json.match(/dynamodb:(Scan|PartiQL\w*)/g), stackName).toBeNull();
    }
  });
});

describe('API edge', () => {
  let api: Template;
  beforeAll(() => {
    api = synth.templates.get('Crm-dev-Api')!;
  });

  it('puts a regional WAF web ACL with managed rules and per-IP and per-Authorization rate rules on the stage', () => {
    const [acl] = Object.entries(resourcesOf(api, 'AWS::WAFv2::WebACL'));
    expect(acl).toBeDefined();
    const [aclId, { Properties: properties }] = acl!;
    const rules = properties!.Rules as Array<{ Name: string; Statement: Record<string, any>; Action?: Record<string, any> }>;
    const byName = new Map(rules.map((rule) => [rule.Name, rule]));

    expect(properties!.Scope).toBe('REGIONAL');
    expect(byName.get('aws-common-rule-set')!.Statement.ManagedRuleGroupStatement).toMatchObject({ VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' });
    expect(byName.get('rate-per-ip')!.Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP', Limit: WAF_RATE_LIMITS.perIp });
    expect(byName.get('rate-per-authorization')!.Statement.RateBasedStatement).toMatchObject({
      AggregateKeyType: 'CUSTOM_KEYS',
      CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
      Limit: WAF_RATE_LIMITS.perAuthorization,
    });
    for (const name of ['rate-per-ip', 'rate-per-authorization']) {
      const response = byName.get(name)!.Action!.Block.CustomResponse;
      expect(response).toMatchObject({ ResponseCode: 429, CustomResponseBodyKey: 'rate-limited' });
      const headers = new Map((response.ResponseHeaders as Array<{ Name: string; Value: string }>).map((h) => [h.Name, h.Value]));
      expect(headers.get('Retry-After')).toMatch(/^\d+$/);
      expect(headers.get('RateLimit-Policy')).toMatch(/^"\w+";q=\d+;w=\d+$/);
    }
    const body = JSON.parse((properties!.CustomResponseBodies as Record<string, { Content: string }>)['rate-limited']!.Content);
    expect(body).toMatchObject({ status: 429, code: 'rate_limited' });

    const associations = Object.values(resourcesOf(api, 'AWS::WAFv2::WebACLAssociation'));
    expect(associations).toHaveLength(1);
    expect(JSON.stringify(associations[0]!.Properties!.WebACLArn)).toContain(aclId);
    expect(JSON.stringify(associations[0]!.Properties!.ResourceArn)).toContain('/stages/');
    const logging = Object.values(resourcesOf(api, 'AWS::WAFv2::LoggingConfiguration'));
    expect(logging[0]!.Properties!.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
  });

  it('has a partner usage plan on the stage with the shared per-client limits', () => {
    const plans = Object.values(resourcesOf(api, 'AWS::ApiGateway::UsagePlan'));
    expect(plans).toHaveLength(1);
    expect(plans[0]!.Properties).toMatchObject({
      Throttle: { RateLimit: RATE_LIMITS.partnerClient.ratePerSecond, BurstLimit: RATE_LIMITS.partnerClient.burst },
      ApiStages: [expect.objectContaining({ Stage: expect.anything() })],
    });
  });

  it('requires API keys on token routes only when crm:requireApiKeys is set', () => {
    const keyRequired = (template: Template) =>
      Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).map((method) => [method.Properties!.AuthorizationType, method.Properties!.ApiKeyRequired ?? false]);

    expect(keyRequired(api).filter(([, required]) => required)).toEqual([]);
    const withKeys = synthCrm({ context: { 'crm:requireApiKeys': 'true' } }).templates.get('Crm-dev-Api')!;
    const methods = keyRequired(withKeys);
    expect(methods.filter(([auth]) => auth === 'COGNITO_USER_POOLS').every(([, required]) => required === true)).toBe(true);
    expect(methods.filter(([auth]) => auth === 'NONE').every(([, required]) => required === false)).toBe(true);
  });

  it('answers API Gateway throttling with 429, Retry-After and RateLimit-Policy', () => {
    const throttled = Object.values(resourcesOf(api, 'AWS::ApiGateway::GatewayResponse')).find((r) => r.Properties!.ResponseType === 'THROTTLED')!;
    expect(throttled.Properties!.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Retry-After': "'1'",
      'gatewayresponse.header.RateLimit-Policy': `'"stage";q=200;w=2'`,
    });
  });
});
