/**
 * The pre-token-generation (V3_0) handler as Lambda runs it: AWS container from the environment,
 * the real DynamoDB and Cognito adapters, and only the two SDK clients mocked.
 */
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { CLAIMS } from '@crm/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler, type PreTokenGenerationEvent } from '../../../functions/platform/add-tenant-claims.handler';

const TABLE = 'crm-dev-table';
const POOL = 'eu-west-1_Pool123';
const cognito = mockClient(CognitoIdentityProviderClient);
const ddb = mockClient(DynamoDBDocumentClient);

beforeAll(() => {
  vi.stubEnv('CRM_RUNTIME', 'aws');
  vi.stubEnv('TABLE_NAME', TABLE);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'x');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'x');
});
afterAll(() => vi.unstubAllEnvs());
beforeEach(() => {
  cognito.reset();
  ddb.reset();
});

const base = {
  version: '3',
  region: 'eu-west-1',
  userPoolId: POOL,
  callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'web-client-id' },
  response: { claimsAndScopeOverrideDetails: {} },
};

function userEvent(groups: string[]): PreTokenGenerationEvent {
  return {
    ...base,
    triggerSource: 'TokenGeneration_Authentication',
    userName: 'alice-sub',
    request: {
      userAttributes: { sub: 'alice-sub', email: 'alice@example.com', [CLAIMS.tenantId]: 'acme', [CLAIMS.orgPath]: '/hq' },
      groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [] },
      scopes: ['openid', 'crm/customers.read'],
    },
  } as PreTokenGenerationEvent;
}

function clientEvent(clientId: string): PreTokenGenerationEvent {
  return {
    ...base,
    version: '3',
    triggerSource: 'TokenGeneration_ClientCredentials',
    userName: '',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
    request: { userAttributes: {}, groupConfiguration: {}, scopes: ['crm/customers.read'] },
  } as PreTokenGenerationEvent;
}

describe('add-tenant-claims handler (pre-token-generation V3_0)', () => {
  it('adds tenant and org claims to access and ID tokens of an admin with TOTP', async () => {
    cognito.on(AdminGetUserCommand, { UserPoolId: POOL, Username: 'alice-sub' }).resolves({ UserMFASettingList: ['SOFTWARE_TOKEN_MFA'] });
    const result = await handler(userEvent(['admin']));
    const claims = { [CLAIMS.tenantId]: 'acme', [CLAIMS.orgPath]: '/hq' };
    expect(result.response.claimsAndScopeOverrideDetails).toEqual({
      accessTokenGeneration: { claimsToAddOrOverride: claims },
      idTokenGeneration: { claimsToAddOrOverride: claims },
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('throws for an admin without TOTP, so Cognito issues no token', async () => {
    cognito.on(AdminGetUserCommand).resolves({ UserMFASettingList: [] });
    await expect(handler(userEvent(['admin']))).rejects.toThrow('Administrators must set up TOTP MFA');
  });

  it('lets a non-admin without MFA sign in without asking Cognito', async () => {
    const result = await handler(userEvent(['sales']));
    expect(result.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride).toEqual({
      [CLAIMS.tenantId]: 'acme', [CLAIMS.orgPath]: '/hq',
    });
    expect(cognito.calls()).toHaveLength(0);
  });

  it('adds the mapped tenant to a registered partner client token, reading CLIENT#<id> consistently', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'CLIENT#partner1', sk: 'TENANT', entity: 'partner-client', tenantId: 'acme' } });
    const result = await handler(clientEvent('partner1'));
    expect(result.response.claimsAndScopeOverrideDetails).toEqual({ accessTokenGeneration: { claimsToAddOrOverride: { [CLAIMS.tenantId]: 'acme' } } });
    expect(ddb.commandCalls(GetCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({ TableName: TABLE, Key: { pk: 'CLIENT#partner1', sk: 'TENANT' }, ConsistentRead: true }),
    ]);
    expect(cognito.calls()).toHaveLength(0);
  });

  it('throws for an unknown partner client', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(handler(clientEvent('stranger'))).rejects.toThrow('Client stranger is not registered to a tenant');
  });
});
