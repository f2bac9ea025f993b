import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLAIMS } from '@crm/core';
import { manifest } from '@crm/manifest';
import { CRM_ROLES, CRM_SCOPES, QUALIFIED_CRM_SCOPES, RESOURCE_SERVER_ID } from '../../infra/stacks/identity.stack';
import { resourcesOf, synthCrm } from './synth-crm';

const TENANT_ATTRIBUTE = CLAIMS.tenantId; // custom:tenant_id
const ORG_ATTRIBUTE = CLAIMS.orgPath; // custom:org_path

describe('identity stack', () => {
  let identity: Template;
  beforeAll(() => {
    identity = synthCrm({ context: { 'crm:callbackUrls': 'https://app.example.com/callback,http://localhost:3000/callback' } })
      .templates.get('Crm-dev-Identity')!;
  });

  const clients = () => Object.values(resourcesOf(identity, 'AWS::Cognito::UserPoolClient')).map((client) => client.Properties!);
  const clientWithFlow = (flow: string) => clients().find((client) => (client.AllowedOAuthFlows as string[]).includes(flow))!;

  it('secures the user pool: no self sign-up, email sign-in, strong passwords, TOTP MFA, Plus tier threat protection', () => {
    identity.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        UsernameAttributes: ['email'],
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        DeletionProtection: 'ACTIVE',
      }),
    });
  });

  it('has immutable tenant and org attributes that no client may write', () => {
    const schema = Object.values(resourcesOf(identity, 'AWS::Cognito::UserPool'))[0]!.Properties!.Schema as Array<Record<string, unknown>>;
    for (const attribute of [TENANT_ATTRIBUTE, ORG_ATTRIBUTE]) {
      expect(schema).toContainEqual(expect.objectContaining({ Name: attribute.replace('custom:', ''), Mutable: false, AttributeDataType: 'String' }));
    }
    expect(clients()).toHaveLength(2);
    for (const client of clients()) {
      expect(client.WriteAttributes).toEqual(expect.arrayContaining(['email']));
      expect((client.WriteAttributes as string[]).filter((attribute) => attribute.startsWith('custom:'))).toEqual([]);
      expect(client.WriteAttributes, 'writeAttributes set explicitly').toBeDefined();
      expect(client.WriteAttributes).not.toContain(TENANT_ATTRIBUTE);
      expect(client.WriteAttributes).not.toContain(ORG_ATTRIBUTE);
    }
  });

  it('has one group per role, admin first (lowest precedence wins for users in several groups)', () => {
    const groups = Object.values(resourcesOf(identity, 'AWS::Cognito::UserPoolGroup')).map((group) => group.Properties!);
    expect(groups.map((group) => group.GroupName).sort()).toEqual([...CRM_ROLES].sort());
    const precedence = Object.fromEntries(groups.map((group) => [group.GroupName, group.Precedence as number]));
    for (const role of CRM_ROLES) if (role !== 'admin') expect(precedence.admin, role).toBeLessThan(precedence[role]!);
  });

  it('challenges or blocks risky sign-ins and blocks compromised credentials on every client', () => {
    identity.resourceCountIs('AWS::Cognito::UserPoolRiskConfigurationAttachment', 1);
    identity.hasResourceProperties('AWS::Cognito::UserPoolRiskConfigurationAttachment', {
      ClientId: 'ALL',
      UserPoolId: { Ref: Match.stringLikeRegexp('^UserPool') },
      AccountTakeoverRiskConfiguration: {
        Actions: {
          LowAction: { EventAction: 'MFA_IF_CONFIGURED', Notify: false },
          MediumAction: { EventAction: 'MFA_REQUIRED', Notify: false },
          HighAction: { EventAction: 'BLOCK', Notify: false },
        },
      },
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
    });
  });

  it('runs the pre-token trigger as V3_0, so client-credentials tokens get their tenant too', () => {
    const pool = Object.values(resourcesOf(identity, 'AWS::Cognito::UserPool'))[0]!.Properties!;
    expect(pool.LambdaConfig).toEqual({
      PreTokenGenerationConfig: {
        LambdaVersion: 'V3_0',
        LambdaArn: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Crm-dev-Platform' }) },
      },
    });
    // V3_0 triggers (and M2M token customisation) need the Essentials or Plus feature plan.
    expect(pool.UserPoolTier).toBe('PLUS');
  });

  it("grants the trigger's role cognito-idp:AdminGetUser on this pool only, and nothing else here", () => {
    const policies = Object.values(resourcesOf(identity, 'AWS::IAM::Policy')).map((policy) => policy.Properties!);
    expect(policies).toHaveLength(1);
    const [policy] = policies;
    expect((policy!.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      { Action: 'cognito-idp:AdminGetUser', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^UserPool/), 'Arn'] } },
    ]);
    // The role is the trigger function's own, imported weakly from the platform stack.
    expect(JSON.stringify(policy!.Roles)).toMatch(/"StackName":"Crm-dev-Platform".*"OutputName":"[^"]*AddTenantClaimsRole/);
  });

  it("lets the trigger read the partner client → tenant mapping (table read, never write)", () => {
    const platform = synthCrm().templates.get('Crm-dev-Platform')!;
    const [, policy] = Object.entries(resourcesOf(platform, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('AddTenantClaimsRole'))!;
    const actions = (policy.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[] }> }).Statement.flatMap((s) => s.Action);
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions.filter((action) => /^dynamodb:(Put|Update|Delete)/.test(action))).toEqual([]);
    expect(actions).not.toContain('cognito-idp:AdminGetUser');
  });

  it('defines the crm resource server with every scope the manifest uses', () => {
    identity.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: RESOURCE_SERVER_ID,
      Scopes: CRM_SCOPES.map((scope) => Match.objectLike({ ScopeName: scope })),
    });
    const used = manifest.flatMap((entry) => (entry.kind === 'http' && entry.auth.type === 'jwt' ? entry.auth.scopes : []));
    for (const scope of used) expect(QUALIFIED_CRM_SCOPES).toContain(scope);
  });

  it('gives people a public authorization-code client with openid, email and all crm scopes', () => {
    const client = clientWithFlow('code');
    expect(client.GenerateSecret).toBeFalsy();
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect([...(client.AllowedOAuthScopes as string[])].sort()).toEqual(['email', 'openid', ...QUALIFIED_CRM_SCOPES].sort());
    expect(client.CallbackURLs).toEqual(['https://app.example.com/callback', 'http://localhost:3000/callback']);
    expect(client.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
  });

  it('gives partners a confidential client-credentials client with crm scopes only and no user sign-in', () => {
    const client = clientWithFlow('client_credentials');
    expect(client.GenerateSecret).toBe(true);
    expect(client.AllowedOAuthFlows).toEqual(['client_credentials']);
    const scopes = client.AllowedOAuthScopes as string[];
    expect(scopes.length).toBeGreaterThan(0);
    for (const scope of scopes) expect(scope.startsWith(`${RESOURCE_SERVER_ID}/`)).toBe(true);
    expect(scopes).not.toContain(`${RESOURCE_SERVER_ID}/admin`);
    expect(client.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('has a hosted UI domain and outputs the pool and client ids', () => {
    identity.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    expect(Object.keys(identity.toJSON().Outputs)).toEqual(expect.arrayContaining(['UserPoolId', 'UserClientId', 'PartnerClientId']));
  });
});
