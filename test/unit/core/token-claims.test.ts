/**
 * The pre-token-generation rules (packages/core/src/identity): admins need TOTP MFA, partner
 * clients need a tenant mapping. Real SQLite store for the mapping; Cognito's AdminGetUser answers
 * through the real Cognito MFA adapter with a mocked SDK client.
 */
import { AdminGetUserCommand, CognitoIdentityProviderClient, UserNotFoundException } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoMfaDirectory } from '@crm/adapters/cognito';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import {
  AppError,
  CLAIMS,
  partnerClientKeys,
  registerPartnerClient,
  resolveTokenClaims,
  systemClock,
  type TableStore,
  type TokenClaimsDeps,
} from '@crm/core';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

const POOL = 'eu-west-1_Pool123';
const cognito = mockClient(CognitoIdentityProviderClient);
const client = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

let store: TableStore;
let deps: TokenClaimsDeps;
beforeEach(() => {
  cognito.reset();
  store = new SqliteTableStore({ db: openSqliteDatabase(':memory:'), clock: systemClock });
  deps = { store, mfa: cognitoMfaDirectory(client) };
});

const user = (groups: string[], attributes: Record<string, string> = { [CLAIMS.tenantId]: 'acme', [CLAIMS.orgPath]: '/hq/east' }) =>
  ({ kind: 'user', userPoolId: POOL, username: 'alice-sub', groups, attributes }) as const;

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return { code: (error as AppError).code, message: (error as AppError).message };
}

describe('resolveTokenClaims — people', () => {
  it('refuses an admin without TOTP MFA, asking Cognito about exactly that user', async () => {
    cognito.on(AdminGetUserCommand).resolves({ Username: 'alice-sub', UserMFASettingList: [] });
    expect(await refusal(resolveTokenClaims(deps, user(['admin'])))).toEqual({
      code: 'forbidden',
      message: 'Administrators must set up TOTP MFA before they can sign in',
    });
    expect(cognito.commandCalls(AdminGetUserCommand).map((call) => call.args[0].input)).toEqual([{ UserPoolId: POOL, Username: 'alice-sub' }]);
  });

  it('refuses an admin whose only factor is not TOTP, or who has no MFA list at all', async () => {
    cognito.on(AdminGetUserCommand).resolvesOnce({ UserMFASettingList: ['SMS_MFA'] }).resolvesOnce({});
    expect((await refusal(resolveTokenClaims(deps, user(['sales', 'admin'])))).code).toBe('forbidden');
    expect((await refusal(resolveTokenClaims(deps, user(['admin'])))).code).toBe('forbidden');
  });

  it('adds tenant and org claims for an admin with TOTP MFA', async () => {
    cognito.on(AdminGetUserCommand).resolves({ UserMFASettingList: ['SOFTWARE_TOKEN_MFA'], PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' });
    expect(await resolveTokenClaims(deps, user(['admin']))).toEqual({ [CLAIMS.tenantId]: 'acme', [CLAIMS.orgPath]: '/hq/east' });
  });

  it('lets non-admins sign in without MFA and does not call Cognito for them', async () => {
    cognito.on(AdminGetUserCommand).rejects(new Error('must not be called'));
    expect(await resolveTokenClaims(deps, user(['sales', 'manager']))).toEqual({ [CLAIMS.tenantId]: 'acme', [CLAIMS.orgPath]: '/hq/east' });
    expect(await resolveTokenClaims(deps, user([], { [CLAIMS.tenantId]: 'acme' }))).toEqual({ [CLAIMS.tenantId]: 'acme' });
    expect(cognito.commandCalls(AdminGetUserCommand)).toHaveLength(0);
  });

  it('fails closed when Cognito cannot answer for an admin', async () => {
    cognito.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
    await expect(resolveTokenClaims(deps, user(['admin']))).rejects.toThrow('User does not exist.');
  });
});

describe('resolveTokenClaims — partner clients (client credentials)', () => {
  it('adds the tenant of a registered client', async () => {
    await registerPartnerClient(store, { clientId: '4r7ner0client0id', tenantId: 'acme' });
    expect(await resolveTokenClaims(deps, { kind: 'client', clientId: '4r7ner0client0id' })).toEqual({ [CLAIMS.tenantId]: 'acme' });
    expect(await store.get(partnerClientKeys.mapping('4r7ner0client0id'))).toEqual({
      pk: 'CLIENT#4r7ner0client0id', sk: 'TENANT', entity: 'partner-client', clientId: '4r7ner0client0id', tenantId: 'acme',
    });
  });

  it('refuses an unknown client, a malformed client id and a mapping with an invalid tenant', async () => {
    expect(await refusal(resolveTokenClaims(deps, { kind: 'client', clientId: 'unknown' }))).toEqual({
      code: 'forbidden', message: 'Client unknown is not registered to a tenant',
    });
    expect((await refusal(resolveTokenClaims(deps, { kind: 'client', clientId: 'T#acme#X' }))).code).toBe('forbidden');
    await store.put({ ...partnerClientKeys.mapping('broken'), tenantId: 'T#acme' });
    expect((await refusal(resolveTokenClaims(deps, { kind: 'client', clientId: 'broken' }))).code).toBe('forbidden');
  });
});

describe('registerPartnerClient', () => {
  it('is idempotent for the same tenant and refuses moving a client to another tenant', async () => {
    await registerPartnerClient(store, { clientId: 'erp', tenantId: 'acme' });
    await registerPartnerClient(store, { clientId: 'erp', tenantId: 'acme' });
    expect((await refusal(registerPartnerClient(store, { clientId: 'erp', tenantId: 'globex' }))).code).toBe('conflict');
    expect((await store.get(partnerClientKeys.mapping('erp')))?.tenantId).toBe('acme');
  });

  it('validates client and tenant ids', async () => {
    expect((await refusal(registerPartnerClient(store, { clientId: 'a b', tenantId: 'acme' }))).code).toBe('validation_failed');
    expect((await refusal(registerPartnerClient(store, { clientId: 'erp', tenantId: 'T#x' }))).code).toBe('validation_failed');
  });

  it('keys the mapping by client id alone (the one identity item without a tenant prefix)', () => {
    expect(partnerClientKeys.mapping('abc123')).toEqual({ pk: 'CLIENT#abc123', sk: 'TENANT' });
  });
});
