import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors as joseErrors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { CLAIMS, CLIENT_ID_PATTERN, TENANT_ID_PATTERN } from '@crm/core';

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
/** What the partner app client may be granted in AWS: every scope except tenant administration. */
export const PARTNER_SCOPES = ALL_SCOPES.filter((scope) => scope !== 'crm/admin');
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

/**
 * Signs an access token shaped like Cognito's (plus the tenant claims the pre-token trigger adds).
 * Low level: no client-registry checks (tests use it to forge tokens of unknown clients); the CLI
 * issues through `issueLocalToken`.
 */
export async function mintAccessToken(key: SigningKey, req: TokenRequest): Promise<string> {
  assertTenantId(req.tenantId);
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
 * `alg: none` and tampered tokens fail), expiry, issuer, `token_use: access` (ID tokens fail) and
 * `client_id` naming a registered app client. Cognito access tokens carry no `aud`; the API
 * Gateway authorizer accepts tokens of any app client of its pool, so the registry is the audience.
 */
export async function verifyAccessToken(
  key: SigningKey,
  token: string,
  options: { clients: LocalClientRegistry; now?: Date },
): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      issuer: LOCAL_ISSUER,
      algorithms: [ALGORITHM],
      requiredClaims: ['exp', 'iat', 'sub', CLAIMS.tokenUse, CLAIMS.clientId],
      ...(options.now ? { currentDate: options.now } : {}),
    });
    if (payload[CLAIMS.tokenUse] !== 'access') throw new TokenRejectedError('not an access token');
    const clientId = payload[CLAIMS.clientId];
    if (typeof clientId !== 'string' || !options.clients.find(clientId)) throw new TokenRejectedError('unknown app client');
    return payload;
  } catch (error) {
    if (error instanceof TokenRejectedError) throw error;
    if (error instanceof joseErrors.JOSEError) throw new TokenRejectedError(error.code);
    throw new TokenRejectedError('malformed token');
  }
}

/** A local app client: the built-in user client or a partner (client-credentials) client. */
export interface LocalClient {
  clientId: string;
  kind: 'user' | 'partner';
  /** Partner clients belong to exactly one tenant (AWS: the `CLIENT#<id>` mapping item). */
  tenantId?: string;
  /** Scopes the client may be granted (AWS: the app client's allowed OAuth scopes). */
  scopes: string[];
}

const USER_CLIENT: LocalClient = { clientId: LOCAL_USER_CLIENT_ID, kind: 'user', scopes: ALL_SCOPES };

/**
 * The local counterpart of the user pool's app clients, in `<dataDir>/keys/clients.json`. The
 * server re-reads the file when it changes, so clients added by `npx crm client add` or
 * `npx crm token --client` are known without a restart. One writer at a time (the CLI) is assumed.
 */
export class LocalClientRegistry {
  private cached: { stamp: string; clients: Map<string, LocalClient> } | undefined;

  private constructor(readonly file: string) {}

  /** Opens the registry, creating it with the built-in user client (mode 0600) on first use. */
  static open(dataDir: string): LocalClientRegistry {
    const dir = join(dataDir, 'keys');
    const registry = new LocalClientRegistry(join(dir, 'clients.json'));
    if (!existsSync(registry.file)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      registry.write([USER_CLIENT]);
    }
    return registry;
  }

  find(clientId: string): LocalClient | undefined {
    return this.read().get(clientId);
  }

  list(): LocalClient[] {
    return [...this.read().values()];
  }

  /**
   * Registers a partner client to a tenant, or updates its scopes. A client already registered to
   * another tenant is refused (one client, one tenant, like the AWS mapping item).
   * @param scopes allowed scopes; defaults to the current ones, or all partner scopes for a new client
   */
  addPartner(input: { clientId: string; tenantId: string; scopes?: string[] }): LocalClient {
    if (!CLIENT_ID_PATTERN.test(input.clientId)) throw new Error(`Client id must be 1-128 of A-Z a-z 0-9 _ -; got "${input.clientId}"`);
    assertTenantId(input.tenantId);
    const notPartner = input.scopes?.filter((scope) => !PARTNER_SCOPES.includes(scope)) ?? [];
    if (notPartner.length) throw new Error(`Scope(s) a partner client cannot have: ${notPartner.join(', ')}; allowed: ${PARTNER_SCOPES.join(', ')}`);
    const clients = new Map(this.read());
    const existing = clients.get(input.clientId);
    if (existing && (existing.kind !== 'partner' || existing.tenantId !== input.tenantId)) {
      throw new Error(`Client ${input.clientId} is already registered${existing.tenantId ? ` to tenant ${existing.tenantId}` : ' as the user client'}`);
    }
    const client: LocalClient = {
      clientId: input.clientId,
      kind: 'partner',
      tenantId: input.tenantId,
      scopes: [...new Set(input.scopes ?? existing?.scopes ?? PARTNER_SCOPES)],
    };
    clients.set(client.clientId, client);
    this.write([...clients.values()]);
    return client;
  }

  private read(): Map<string, LocalClient> {
    // A deleted file (data folder reset while running) leaves only the built-in user client.
    const stat = statSync(this.file, { throwIfNoEntry: false });
    const stamp = stat ? `${stat.ino}:${stat.mtimeMs}:${stat.size}` : 'missing';
    if (this.cached?.stamp !== stamp) {
      const parsed = (stat ? JSON.parse(readFileSync(this.file, 'utf8')) : {}) as { clients?: LocalClient[] };
      const clients = new Map((parsed.clients ?? []).map((client) => [client.clientId, client]));
      clients.set(USER_CLIENT.clientId, USER_CLIENT);
      this.cached = { stamp, clients };
    }
    return this.cached.clients;
  }

  private write(clients: LocalClient[]): void {
    // Write-then-rename: the server never reads a half-written file.
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ clients }, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}

/**
 * Issues a token the way the user pool would: user tokens through the built-in user client,
 * partner tokens only for a client registered to the same tenant (registering an unknown client
 * on the fly, which stands in for creating the app client and its mapping item in AWS) and only
 * with scopes the client is allowed.
 */
export async function issueLocalToken(key: SigningKey, clients: LocalClientRegistry, req: TokenRequest): Promise<string> {
  assertTenantId(req.tenantId);
  if (!!req.userId === !!req.clientId) throw new Error('Give exactly one of --user or --client');
  if (req.clientId === LOCAL_USER_CLIENT_ID) throw new Error(`${LOCAL_USER_CLIENT_ID} is the user client; use --user`);
  const client = req.clientId
    ? (clients.find(req.clientId) ?? clients.addPartner({ clientId: req.clientId, tenantId: req.tenantId, ...(req.scopes ? { scopes: req.scopes } : {}) }))
    : USER_CLIENT;
  if (client.kind === 'partner' && client.tenantId !== req.tenantId) {
    throw new Error(`Client ${client.clientId} is registered to tenant ${client.tenantId}, not ${req.tenantId}`);
  }
  const scopes = req.scopes ?? client.scopes;
  const notAllowed = scopes.filter((scope) => !client.scopes.includes(scope));
  if (notAllowed.length) {
    throw new Error(`Client ${client.clientId} may not be granted: ${notAllowed.join(', ')}; allowed: ${client.scopes.join(', ')}`);
  }
  return mintAccessToken(key, { ...req, scopes });
}

function assertTenantId(tenantId: string): void {
  if (!TENANT_ID_PATTERN.test(tenantId)) {
    throw new Error(`--tenant must be a ULID or a lower-case slug of 3-63 characters (a-z, 0-9, -); got "${tenantId}"`);
  }
}
