import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TENANT_ID_PATTERN, systemClock, type Clock, type TableStore } from '@crm/core';
import { guardTenant } from '../shared/leading-keys-guard';
import { DynamoDbTableStore, documentClientTranslateConfig } from './dynamodb-table-store';

/** Session tag the tenant roles' `dynamodb:LeadingKeys` condition reads as `${aws:PrincipalTag/tenantId}`. */
export const TENANT_SESSION_TAG = 'tenantId';

/** Shortest session STS allows; a short life bounds what leaked credentials could do. */
export const TENANT_SESSION_SECONDS = 900;

/** Credentials are replaced this long before they expire, so no request starts with nearly dead ones. */
export const TENANT_SESSION_REFRESH_MARGIN_MS = 60_000;

export interface TenantScopedStoreProviderOptions {
  /** ARN of the tenant data-access role (read or read-write) the function may assume. */
  roleArn: string;
  tableName: string;
  region: string;
  /** Created once per container; injected by tests. */
  sts?: STSClient;
  /** Decides when cached credentials are due for renewal; defaults to the system clock. */
  clock?: Clock;
  /** Tenants whose stores are kept (least recently used first out). Default 500. */
  maxTenants?: number;
  /** Session length in seconds (900..3600; role chaining caps it at one hour). Default 900. */
  sessionSeconds?: number;
  /** Extra DynamoDB client settings shared by every tenant's client (e.g. a shared requestHandler, endpoint). */
  dynamoDbClientConfig?: Omit<DynamoDBClientConfig, 'credentials' | 'region'>;
}

/** Returns the table store of one tenant; calls for the same tenant share one session until it nears expiry. */
export type TenantScopedStoreProvider = (tenantId: string) => Promise<TableStore>;

interface CachedSession {
  store: Promise<TableStore>;
  /** Epoch ms after which the session is renewed; Infinity while the AssumeRole call is in flight. */
  renewAt: number;
}

/**
 * The Lambda side of the "token vending machine" (docs/adr/0007): assumes the tenant data-access
 * role with the session tag `tenantId=<tenant>`, so DynamoDB itself refuses any key outside
 * `T#<tenant>#*` (the role's `dynamodb:LeadingKeys` condition), and builds a DynamoDbTableStore on
 * those credentials. Sessions are cached per tenant in a bounded LRU until shortly before they
 * expire; concurrent first calls for one tenant share one AssumeRole call. The store is also wrapped
 * in `guardTenant`, so a wrong key fails fast with a clear error before it costs a round trip.
 */
export function createTenantScopedStoreProvider(options: TenantScopedStoreProviderOptions): TenantScopedStoreProvider {
  const { roleArn, tableName, region } = options;
  if (!roleArn) throw new TypeError('createTenantScopedStoreProvider needs a roleArn');
  if (!tableName) throw new TypeError('createTenantScopedStoreProvider needs a tableName');
  const sts = options.sts ?? new STSClient({ region });
  const clock = options.clock ?? systemClock;
  const maxTenants = options.maxTenants ?? 500;
  const sessionSeconds = options.sessionSeconds ?? TENANT_SESSION_SECONDS;
  if (!(Number.isInteger(sessionSeconds) && sessionSeconds >= 900 && sessionSeconds <= 3600)) {
    throw new RangeError('sessionSeconds must be an integer in 900..3600');
  }
  // Map iteration order is insertion order: re-inserting on use makes the first key the LRU one.
  const sessions = new Map<string, CachedSession>();

  // Dropped clients are not destroy()ed: a request that got the store just before may still be
  // using its connections; idle sockets close on their own.
  const evict = (tenantId: string): void => {
    sessions.delete(tenantId);
  };

  const open = (tenantId: string): CachedSession => {
    const session = { renewAt: Number.POSITIVE_INFINITY } as CachedSession;
    session.store = (async () => {
      const output = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: `tenant-${tenantId}`.slice(0, 64),
          DurationSeconds: sessionSeconds,
          Tags: [{ Key: TENANT_SESSION_TAG, Value: tenantId }],
          // Kept if the session ever chains into another role, so the tenant cannot be dropped on the way.
          TransitiveTagKeys: [TENANT_SESSION_TAG],
        }),
      );
      const credentials = output.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !credentials.Expiration) {
        throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
      }
      const client = new DynamoDBClient({
        ...options.dynamoDbClientConfig,
        region,
        credentials: {
          accessKeyId: credentials.AccessKeyId,
          secretAccessKey: credentials.SecretAccessKey,
          sessionToken: credentials.SessionToken,
          expiration: credentials.Expiration,
        },
      });
      session.renewAt = credentials.Expiration.getTime() - TENANT_SESSION_REFRESH_MARGIN_MS;
      const documentClient = DynamoDBDocumentClient.from(client, documentClientTranslateConfig);
      return guardTenant(new DynamoDbTableStore({ client: documentClient, tableName, clock }), tenantId);
    })();
    // A failed AssumeRole is not cached: the next request tries again.
    session.store.catch(() => {
      if (sessions.get(tenantId) === session) sessions.delete(tenantId);
    });
    return session;
  };

  return async (tenantId) => {
    if (!TENANT_ID_PATTERN.test(tenantId)) throw new TypeError(`"${tenantId}" is not a valid tenant id`);
    let session = sessions.get(tenantId);
    if (session && clock.now().getTime() >= session.renewAt) {
      evict(tenantId);
      session = undefined;
    }
    if (session) {
      sessions.delete(tenantId);
    } else {
      session = open(tenantId);
      while (sessions.size >= maxTenants) evict(sessions.keys().next().value!);
    }
    sessions.set(tenantId, session);
    return session.store;
  };
}
