import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors as joseErrors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { CLAIMS, TENANT_ID_PATTERN } from '@crm/core';

/**
 * Local stand-in for the Cognito user pool: an RS256 issuer whose key pair is generated on first
 * start into the data folder (never committed), minting access tokens with Cognito's claim names,
 * and a verifier that checks them the way API Gateway's Cognito authorizer does.
 */
export const LOCAL_ISSUER = 'urn:crm:local:issuer';
/** The local counterpart of the user app client (authorization code + PKCE in AWS). */
export const LOCAL_USER_CLIENT_ID = 'crm-local-web';
export const ALL_SCOPES = [
  'crm/customers.read', 'crm/customers.write', 'crm/interactions.read', 'crm/interactions.write',
  'crm/deals.read', 'crm/deals.write', 'crm/analytics.read', 'crm/webhooks.manage', 'crm/admin',
];
const ALGORITHM = 'RS256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** Loads the issuer key from `<dataDir>/keys`, creating it (mode 0600) on first use. */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'local-issuer.private.jwk.json');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true, modulusLength: 2048 });
    const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: ALGORITHM, use: 'sig' };
    writeFileSync(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK & { kid: string };
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  return {
    kid: jwk.kid,
    privateKey: (await importJWK(jwk, ALGORITHM)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, ALGORITHM)) as CryptoKey,
  };
}

export interface TokenRequest {
  tenantId: string;
  /** A user token (authorization-code flow) ... */
  userId?: string;
  /** ... or a partner's client-credentials token. */
  clientId?: string;
  roles?: string[];
  orgPath?: string;
  scopes?: string[];
  ttlSeconds?: number;
  now?: Date;
}

/** Mints an access token shaped like Cognito's (plus the tenant claims the pre-token trigger adds). */
export async function mintAccessToken(key: SigningKey, req: TokenRequest): Promise<string> {
  if (!TENANT_ID_PATTERN.test(req.tenantId)) {
    throw new Error(`--tenant must be a ULID or a lower-case slug of 3-63 characters (a-z, 0-9, -); got "${req.tenantId}"`);
  }
  if (!!req.userId === !!req.clientId) throw new Error('Give exactly one of --user or --client');
  const now = Math.floor((req.now ?? new Date()).getTime() / 1000);
  const claims: JWTPayload = {
    [CLAIMS.tokenUse]: 'access',
    [CLAIMS.clientId]: req.clientId ?? LOCAL_USER_CLIENT_ID,
    [CLAIMS.scope]: (req.scopes ?? ALL_SCOPES).join(' '),
    [CLAIMS.tenantId]: req.tenantId,
    auth_time: now,
    version: 2,
  };
  if (req.userId) {
    claims[CLAIMS.username] = req.userId;
    if (req.roles?.length) claims[CLAIMS.groups] = req.roles;
    if (req.orgPath) claims[CLAIMS.orgPath] = req.orgPath;
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, kid: key.kid })
    .setIssuer(LOCAL_ISSUER)
    .setSubject(req.userId ?? req.clientId!)
    .setIssuedAt(now)
    .setExpirationTime(now + (req.ttlSeconds ?? 3600))
    .setJti(randomUUID())
    .sign(key.privateKey);
}

export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
}

/**
 * Verifies a bearer token like the deployed authorizer: RS256 signature by the issuer key (so
 * `alg: none` and tampered tokens fail), expiry, issuer, and `token_use: access` (ID tokens fail).
 */
export async function verifyAccessToken(key: SigningKey, token: string, now?: Date): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      issuer: LOCAL_ISSUER,
      algorithms: [ALGORITHM],
      requiredClaims: ['exp', 'iat', 'sub', CLAIMS.tokenUse, CLAIMS.clientId],
      ...(now ? { currentDate: now } : {}),
    });
    if (payload[CLAIMS.tokenUse] !== 'access') throw new TokenRejectedError('not an access token');
    return payload;
  } catch (error) {
    if (error instanceof TokenRejectedError) throw error;
    if (error instanceof joseErrors.JOSEError) throw new TokenRejectedError(error.code);
    throw new TokenRejectedError('malformed token');
  }
}
