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
      expect(client.WriteAttributes, 'writeAttributes set explicitly').toBeDefined();
      expect(client.WriteAttributes).not.toContain(TENANT_ATTRIBUTE);
      expect(client.WriteAttributes).not.toContain(ORG_ATTRIBUTE);
    }
  });

  it('has one group per role', () => {
    const groups = Object.values(resourcesOf(identity, 'AWS::Cognito::UserPoolGroup')).map((group) => group.Properties!.GroupName);
    expect(groups.sort()).toEqual([...CRM_ROLES].sort());
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
