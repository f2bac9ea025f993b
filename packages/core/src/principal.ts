/**
 * The verified caller. Built only from token claims that the API Gateway Cognito authorizer (AWS)
 * or the local verifier (local runtime) has already checked; never from the request payload.
 */
export interface Principal {
  /** Tenant id (ULID-format), first segment of every key this caller may touch. */
  tenantId: string;
  /** `user` for people (authorization-code tokens), `client` for partners (client credentials). */
  kind: 'user' | 'client';
  /** Token subject: the user's id, or the app client id for client-credentials tokens. */
  subject: string;
  /** Roles (Cognito groups). */
  roles: string[];
  /** OAuth scopes granted to the token. */
  scopes: string[];
  /** Position in the tenant's org tree, e.g. `/hq/east/shanghai`, when the user has one. */
  orgPath?: string;
  /** OAuth app client that obtained the token. */
  clientId?: string;
  /** The token's id (`jti`), to audit first uses of privileged tokens. */
  tokenId?: string;
}

/** What every use case receives besides its input: who asks, and request metadata for logs/audit. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  sourceIp?: string;
  userAgent?: string;
}

/**
 * The context of work the system does on its own for a tenant (jobs, stream consumers, timers): a
 * client principal named after the acting job (`system:<job>`), without roles or scopes; the
 * actor is also the request id its audit entries carry.
 */
export function systemContext(tenantId: string, actor: string): RequestContext {
  return { principal: { tenantId, kind: 'client', subject: actor, roles: [], scopes: [] }, requestId: actor };
}

/**
 * Claim names shared by Cognito access tokens (custom claims are added by the pre-token-generation
 * trigger) and the local issuer. Changing one is a breaking change for deployed clients.
 */
export const CLAIMS = {
  subject: 'sub',
  username: 'username',
  groups: 'cognito:groups',
  scope: 'scope',
  clientId: 'client_id',
  tokenUse: 'token_use',
  tenantId: 'custom:tenant_id',
  orgPath: 'custom:org_path',
} as const;

/**
 * Fixed tenant id format: a ULID, or a lower-case slug (3-63 of a-z 0-9 -). Neither can contain `#`,
 * so `T#<tenant>#` prefixes are unambiguous and IAM `dynamodb:LeadingKeys` patterns stay exact.
 */
export const TENANT_ID_PATTERN = /^(?:[0-9A-HJKMNP-TV-Z]{26}|[a-z0-9][a-z0-9-]{1,61}[a-z0-9])$/;
