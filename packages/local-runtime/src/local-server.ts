import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError, CLAIMS } from '@crm/core';
import { RATE_LIMITS, type HttpRouteEntry, type ManifestEntry, type RateLimits } from '@crm/manifest';
import { problemOf, type HttpHandler } from '@crm/runtime';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { TokenRejectedError, verifyAccessToken, type LocalClientRegistry, type SigningKey } from './local-identity';
import { TokenBucketRateLimiter, type RateLimitSubject } from './rate-limiter';
import type { RawRoute } from './local-blob-route';

/** API Gateway REST APIs reject payloads over 10 MB before the function runs; so does the local server. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  entry: HttpRouteEntry;
  pattern: RegExp;
  paramNames: string[];
  /** Literal segments count more, so `/v1/customers/merge` would win over `/v1/customers/{id}`. */
  specificity: number;
  handler: HttpHandler;
}

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The local API Gateway: matches manifest routes, verifies tokens and scopes like the Cognito
 * authorizer, turns the HTTP request into the same REST proxy event Lambda receives, calls the same
 * exported handler and writes its result back. Handlers are imported from the manifest's entries.
 */
export async function startLocalServer(options: {
  manifest: readonly ManifestEntry[];
  signingKey: SigningKey;
  /** App clients whose tokens are accepted (the pool's app clients in AWS). */
  clients: LocalClientRegistry;
  host: string;
  port: number;
  repoRoot: string;
  /** Defaults to the product limits, the ones AWS enforces (LocalConfig's CRM_RATE_LIMIT_* override them). */
  rateLimits?: RateLimits;
  /** Routes outside API Gateway's (S3 presigned transfers), tried before the manifest's. */
  rawRoutes?: RawRoute[];
}): Promise<LocalServer> {
  const routes = await compileRoutes(options.manifest, options.repoRoot);
  const limiter = new TokenBucketRateLimiter(options.rateLimits ?? RATE_LIMITS);
  const server = createServer((req, res) => {
    handleRaw(options.rawRoutes ?? [], req, res).then((handled) => (handled ? undefined : handle(req, res, routes, options.signingKey, limiter, options.clients))).catch((error: unknown) => {
      // Only reachable on a bug in this adapter; handlers map their own errors.
      console.error('local server error', error);
      if (!res.headersSent) sendResult(res, problemResult(new AppError('internal_error'), randomUUID(), req.url ?? '/'));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}`, close: () => closeServer(server) };
}

async function handleRaw(rawRoutes: RawRoute[], req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  for (const route of rawRoutes) if (await route(req, res)) return true;
  return false;
}

async function compileRoutes(manifest: readonly ManifestEntry[], repoRoot: string): Promise<CompiledRoute[]> {
  const routes: CompiledRoute[] = [];
  for (const entry of manifest) {
    if (entry.kind !== 'http') continue;
    const module = (await import(pathToFileURL(resolve(repoRoot, entry.entry)).href)) as { handler?: HttpHandler };
    if (typeof module.handler !== 'function') throw new Error(`${entry.entry} does not export a handler`);
    const paramNames: string[] = [];
    const segments = entry.path.split('/').filter(Boolean);
    const pattern = segments
      .map((segment) => {
        const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
        if (!param) return escapeRegExp(segment);
        paramNames.push(param[1]!);
        return param[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    routes.push({
      entry,
      pattern: new RegExp(`^/${pattern}$`),
      paramNames,
      specificity: segments.filter((s) => !s.startsWith('{')).length,
      handler: module.handler,
    });
  }
  return routes.sort((a, b) => b.specificity - a.specificity);
}

async function handle(
  req: IncomingMessage, res: ServerResponse, routes: CompiledRoute[], key: SigningKey, limiter: TokenBucketRateLimiter, clients: LocalClientRegistry,
): Promise<void> {
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  // Every answer carries RateLimit headers. Requests without a verified token (public routes, but
  // also unknown routes and rejected tokens) count against the caller's IP, like the WAF's per-IP rule.
  const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
  let rateHeaders: Record<string, string> = {};
  const send = (res: ServerResponse, result: APIGatewayProxyResult, extraHeaders: Record<string, string> = {}): void =>
    sendResult(res, result, { ...rateHeaders, ...extraHeaders });
  const refused = (subject: RateLimitSubject, path: string): APIGatewayProxyResult | undefined => {
    const decision = limiter.check(subject);
    rateHeaders = decision.headers;
    if (decision.allowed) return undefined;
    rateHeaders = { ...decision.headers, 'retry-after': String(decision.retryAfterSeconds) };
    return problemResult(new AppError('rate_limited', `Too many requests; retry in ${decision.retryAfterSeconds} s`), requestId, path);
  };
  const byIp: RateLimitSubject = { principal: 'publicIp', id: sourceIp };
  let path: string;
  try {
    path = decodeURI(url.pathname).replace(/\/+$/, '') || '/';
  } catch {
    return send(res, refused(byIp, url.pathname) ?? problemResult(new AppError('validation_failed', 'The path is not valid percent-encoding'), requestId, url.pathname));
  }

  const candidates = routes.map((r) => ({ route: r, match: r.pattern.exec(path) })).filter((c) => c.match);
  if (candidates.length === 0) return send(res, refused(byIp, path) ?? problemResult(new AppError('route_not_found', `No route ${path}`), requestId, path));
  const found = candidates.find((c) => c.route.entry.method === method);
  if (!found) {
    const allowed = [...new Set(candidates.map((c) => c.route.entry.method))].join(', ');
    return send(res, refused(byIp, path) ?? problemResult(new AppError('method_not_allowed', `${method} is not allowed; use ${allowed}`), requestId, path), { allow: allowed });
  }
  const { route, match } = found;

  const body = await readBody(req);
  if (body === 'too-large') return send(res, refused(byIp, path) ?? problemResult(new AppError('payload_too_large'), requestId, path));

  let claims: Record<string, unknown> | undefined;
  if (route.entry.auth.type === 'jwt') {
    const authorization = req.headers.authorization ?? '';
    const token = /^Bearer (\S+)$/i.exec(authorization)?.[1];
    if (!token) return send(res, refused(byIp, path) ?? problemResult(new AppError('unauthorized', 'Send an access token: Authorization: Bearer <token>'), requestId, path));
    try {
      claims = await verifyAccessToken(key, token, { clients });
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) throw error;
      return send(res, refused(byIp, path) ?? problemResult(new AppError('unauthorized', 'The access token is not valid'), requestId, path));
    }
    // Counted per principal after the token is verified, as API Gateway's usage plans are: a forged
    // token cannot drain somebody else's bucket.
    const overLimit = refused(rateLimitSubjectOf(claims), path);
    if (overLimit) return send(res, overLimit);
    // API Gateway answers 401 when the token lacks a scope the method requires.
    const granted = new Set(String(claims[CLAIMS.scope] ?? '').split(' '));
    if (!route.entry.auth.scopes.every((s) => granted.has(s))) {
      return send(res, problemResult(new AppError('unauthorized', `The token lacks a required scope: ${route.entry.auth.scopes.join(' ')}`), requestId, path));
    }
  } else {
    const overLimit = refused(byIp, path);
    if (overLimit) return send(res, overLimit);
  }

  const pathParameters: Record<string, string> = {};
  route.paramNames.forEach((name, i) => (pathParameters[name] = match![i + 1]!));
  const event = toProxyEvent(req, url, method, path, route.entry, pathParameters, body, requestId, claims);
  const context = lambdaContext(route.entry.name, requestId);
  send(res, await route.handler(event, context));
}

function toProxyEvent(
  req: IncomingMessage, url: URL, method: string, path: string, entry: HttpRouteEntry,
  pathParameters: Record<string, string>, body: Buffer, requestId: string, claims: Record<string, unknown> | undefined,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const hasQuery = Object.keys(query).length > 0;
  const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
  return {
    resource: entry.path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    body: body.length ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: claims ? { claims } : null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      identity: {
        sourceIp, userAgent: req.headers['user-agent'] ?? null, accessKey: null, accountId: null, apiKey: null, apiKeyId: null,
        caller: null, clientCert: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null,
        cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, user: null, userArn: null,
      },
      path,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: entry.name,
      resourcePath: entry.path,
    },
  };
}

function lambdaContext(functionName: string, requestId: string): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => ok(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

function problemResult(error: AppError, requestId: string, path: string): APIGatewayProxyResult {
  return {
    statusCode: error.status,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': requestId },
    body: JSON.stringify(problemOf(error, requestId, path)),
  };
}

/**
 * Partner clients (client-credentials tokens carry no username) are counted per app client, users
 * per tenant and subject; both also count against their tenant's bucket.
 */
function rateLimitSubjectOf(claims: Record<string, unknown>): RateLimitSubject {
  const tenantId = String(claims[CLAIMS.tenantId] ?? '');
  if (claims[CLAIMS.username] === undefined) {
    return { principal: 'partnerClient', id: String(claims[CLAIMS.clientId] ?? claims[CLAIMS.subject]), tenantId };
  }
  return { principal: 'user', id: `${tenantId}/${String(claims[CLAIMS.subject])}`, tenantId };
}

function sendResult(res: ServerResponse, result: APIGatewayProxyResult, extraHeaders: Record<string, string> = {}): void {
  const headers: Record<string, string | number | boolean | Array<string | number | boolean>> = { ...extraHeaders };
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) headers[k.toLowerCase()] = v;
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '', 'utf8');
  headers['content-length'] = body.length;
  res.writeHead(result.statusCode, headers as Record<string, string>);
  res.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
