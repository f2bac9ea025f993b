/**
 * The tenant-scoped store provider ("token vending machine"): the exact AssumeRole input it sends,
 * that the resulting store signs with the assumed credentials, and how sessions are cached.
 * STS and DynamoDB are mocked with aws-sdk-client-mock; the provider and the store are real.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { TenantIsolationError, createTenantScopedStoreProvider } from '@crm/adapters/dynamodb';
import type { Clock } from '@crm/core';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/crm-dev-tenant-read-write';
const TABLE = 'crm-table';
const START = Date.UTC(2040, 0, 1);

const stsMock = mockClient(STSClient);
const ddbMock = mockClient(DynamoDBDocumentClient);

let now = START;
const clock: Clock = { now: () => new Date(now) };
let issued = 0;

function provider(options: { maxTenants?: number } = {}) {
  const sts = new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'fn', secretAccessKey: 'fn' } });
  return createTenantScopedStoreProvider({ roleArn: ROLE_ARN, tableName: TABLE, region: 'eu-west-1', sts, clock, ...options });
}

beforeEach(() => {
  now = START;
  issued = 0;
  stsMock.reset();
  ddbMock.reset();
  // Each AssumeRole call hands out distinct credentials valid for the requested duration.
  stsMock.on(AssumeRoleCommand).callsFake((input: { DurationSeconds: number }) => {
    issued += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIA${issued}`,
        SecretAccessKey: `secret-${issued}`,
        SessionToken: `token-${issued}`,
        Expiration: new Date(now + input.DurationSeconds * 1000),
      },
    };
  });
  ddbMock.on(GetCommand).resolves({ Item: { pk: 'T#acme#C#1', sk: 'PROFILE' } });
});

describe('createTenantScopedStoreProvider', () => {
  it('assumes the role tagged with the tenant, transitively, for a short session', async () => {
    await provider()('acme');

    expect(stsMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      {
        RoleArn: ROLE_ARN,
        RoleSessionName: 'tenant-acme',
        DurationSeconds: 900,
        Tags: [{ Key: 'tenantId', Value: 'acme' }],
        TransitiveTagKeys: ['tenantId'],
      },
    ]);
  });

  it('builds a store that reads the table with the assumed credentials', async () => {
    const store = await provider()('acme');

    const item = await store.get({ pk: 'T#acme#C#1', sk: 'PROFILE' });

    expect(item).toEqual({ pk: 'T#acme#C#1', sk: 'PROFILE' });
    const [call] = ddbMock.commandCalls(GetCommand);
    expect(call!.args[0].input).toMatchObject({ TableName: TABLE, Key: { pk: 'T#acme#C#1', sk: 'PROFILE' } });
    const documentClient = call!.thisValue as DynamoDBDocumentClient;
    const credentials = await (documentClient.config.credentials as () => Promise<{ accessKeyId: string; sessionToken: string }>)();
    expect(credentials).toMatchObject({ accessKeyId: 'ASIA1', sessionToken: 'token-1' });
  });

  it('refuses keys of another tenant before calling DynamoDB', async () => {
    const store = await provider()('acme');

    await expect(store.get({ pk: 'T#globex#C#1', sk: 'PROFILE' })).rejects.toBeInstanceOf(TenantIsolationError);
    expect(ddbMock.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('reuses one session per tenant, also for concurrent first calls', async () => {
    const get = provider();

    const [first, second] = await Promise.all([get('acme'), get('acme')]);
    const third = await get('acme');

    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('keeps one session per tenant apart', async () => {
    const get = provider();

    await get('acme');
    await get('globex');

    expect(stsMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.Tags)).toEqual([
      [{ Key: 'tenantId', Value: 'acme' }],
      [{ Key: 'tenantId', Value: 'globex' }],
    ]);
  });

  it('renews the session a minute before it expires, not earlier', async () => {
    const get = provider();
    const first = await get('acme');

    now = START + (900 - 61) * 1000;
    expect(await get('acme')).toBe(first);
    now = START + (900 - 60) * 1000;
    const renewed = await get('acme');

    expect(renewed).not.toBe(first);
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('forgets the least recently used tenant beyond maxTenants', async () => {
    const get = provider({ maxTenants: 2 });
    await get('acme');
    await get('globex');
    await get('acme'); // acme is now the most recently used

    await get('initech'); // evicts globex
    await get('acme');
    await get('globex');

    expect(stsMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.Tags![0]!.Value)).toEqual([
      'acme',
      'globex',
      'initech',
      'globex',
    ]);
  });

  it('does not cache a failed AssumeRole', async () => {
    stsMock.on(AssumeRoleCommand).rejectsOnce(new Error('throttled')).callsFake(() => ({
      Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S', SessionToken: 'T', Expiration: new Date(now + 900_000) },
    }));
    const get = provider();

    await expect(get('acme')).rejects.toThrow('throttled');
    await expect(get('acme')).resolves.toBeDefined();
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('rejects a malformed tenant id without calling STS', async () => {
    await expect(provider()('acme#x')).rejects.toThrow(TypeError);
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});
