import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import {
  AppError, assertCan, auditEntryFrom, auditPutOperation, loadAccessPolicy, loadRoleDefinitions, TransactionConflictError, writeAudit,
  type RoleDefinitions,
  type RequestContext, type SecuredContext,
} from '@crm/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import { getContainer, type Container } from './container';
import { principalFromClaims } from './principal-from-claims';
import { problemOf, problemResponse, validationError } from './problem';

/** Largest JSON body accepted (API Gateway's own limit is 10 MB; a CRM record is far smaller). */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw (non-JSON) body, e.g. HTML or a static asset. */
  raw?: { contentType: string; data: string | Buffer };
}

interface RequestBase<B, Q> {
  body: B;
  /** The parsed JSON exactly as sent (for idempotency hashing). */
  rawBody: unknown;
  query: Q;
  params: Record<string, string>;
  /** Request headers with lower-case names. */
  headers: Record<string, string>;
  requestId: string;
  container: Container;
}

export interface AuthenticatedRequest<B, Q> extends RequestBase<B, Q> {
  /** Principal, request metadata and the caller's resolved role matrix, data scope, field rules and grants. */
  ctx: SecuredContext;
}

interface RouteSpecBase<B, Q> {
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
}

export interface AuthenticatedRouteSpec<B, Q> extends RouteSpecBase<B, Q> {
  auth: 'jwt';
  /** Role-matrix permission checked before the use case runs; must equal the manifest entry's. */
  permission: string;
  handle(req: AuthenticatedRequest<B, Q>): Promise<HttpResult>;
}

export interface PublicRouteSpec<B, Q> extends RouteSpecBase<B, Q> {
  auth: 'public';
  handle(req: RequestBase<B, Q>): Promise<HttpResult>;
}

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * Turns a route spec into the exported Lambda handler: parse → validate → call the use case →
 * shape the response. The same function runs behind API Gateway and behind the local server, so
 * validation, claims and error mapping cannot differ between the two.
 */
export function httpRoute<B = undefined, Q = Record<string, never>>(spec: AuthenticatedRouteSpec<B, Q> | PublicRouteSpec<B, Q>): HttpHandler {
  const base = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const container = getContainer();
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    let audited: { ctx: RequestContext; container: Container } | undefined;
    try {
      const headers = lowerCaseHeaders(event.headers);
      const rawBody = parseBody(event, headers, spec.body !== undefined);
      const body = spec.body ? parseWith(spec.body, rawBody, 'body') : (undefined as B);
      const query = parseWith(spec.query, event.queryStringParameters ?? {}, 'query') as Q;
      const params = (event.pathParameters ?? {}) as Record<string, string>;
      const common: RequestBase<B, Q> = { body, rawBody, query, params, headers, requestId, container };
      let result: HttpResult;
      if (spec.auth === 'jwt') {
        const principal = principalFromClaims(event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined);
        const ctx: RequestContext = {
          principal,
          requestId,
          ...(event.requestContext?.identity?.sourceIp ? { sourceIp: event.requestContext.identity.sourceIp } : {}),
          ...(headers['user-agent'] ? { userAgent: headers['user-agent'] } : {}),
        };
        container.logger.appendKeys({ tenantId: principal.tenantId });
        // Everything below runs on a store that can only reach this tenant's keys.
        const scoped: Container = { ...container, store: await container.storeFor(principal.tenantId) };
        audited = { ctx, container: scoped };
        const access = await loadAccessPolicy(scoped.store, principal, (tenantId) => cachedRoleDefinitions(container, scoped.store, tenantId));
        await auditAdminTokenUse(scoped, ctx);
        assertCan(access, spec.permission);
        result = await spec.handle({ ...common, container: scoped, ctx: { ...ctx, access } });
      } else {
        result = await spec.handle(common);
      }
      return toResponse(result, requestId);
    } catch (error) {
      if (audited && spec.auth === 'jwt' && error instanceof AppError && error.code === 'forbidden') {
        await auditDenial(audited.container, audited.ctx, spec.permission, event.pathParameters?.id, error);
      }
      return errorResponse(error, container, requestId, event.path);
    } finally {
      container.logger.removeKeys(['tenantId']);
    }
  };
  return middy(base).use(injectLambdaContext(getContainer().logger, { resetKeys: true })) as unknown as HttpHandler;
}

/**
 * The role matrix changes rarely and is read on every request, so each container keeps it for a few
 * seconds (keyed by the container's own store, so separate stores never share entries). A role
 * change applies at once in the container that made it (`forgetRoleDefinitions`) and within
 * ROLE_CACHE_TTL_MS everywhere else.
 */
export const ROLE_CACHE_TTL_MS = 5_000;
const roleCache = new WeakMap<object, Map<string, { expires: number; roles: Promise<RoleDefinitions> }>>();

function cachedRoleDefinitions(container: Container, tenantStore: Container['store'], tenantId: string): Promise<RoleDefinitions> {
  let byTenant = roleCache.get(container.store);
  if (!byTenant) roleCache.set(container.store, (byTenant = new Map()));
  const now = container.clock.now().getTime();
  const hit = byTenant.get(tenantId);
  if (hit && hit.expires > now) return hit.roles;
  const roles = loadRoleDefinitions(tenantStore, tenantId);
  byTenant.set(tenantId, { expires: now + ROLE_CACHE_TTL_MS, roles });
  roles.catch(() => byTenant.delete(tenantId));
  if (byTenant.size > 1_000) byTenant.delete(byTenant.keys().next().value!);
  return roles;
}

/** Drops this container's cached role matrix of a tenant (after a role change). */
export function forgetRoleDefinitions(tenantId: string): void {
  roleCache.get(getContainer().store)?.delete(tenantId);
}

/** Every refused action is an audit record (outcome `denied`), written on its own: nothing else changed. */
async function auditDenial(container: Container, ctx: RequestContext, permission: string, resourceId: string | undefined, error: AppError): Promise<void> {
  try {
    await writeAudit(container.store, auditEntryFrom(ctx, {
      action: permission, resource: permission.split(':')[0]!, ...(resourceId ? { resourceId } : {}), outcome: 'denied',
      detail: { code: error.code, reason: error.detail ?? '', ...(error.extra.errors ? { fields: error.extra.errors.map((e) => e.path) } : {}) },
    }, container.clock, container.ids));
  } catch (auditError) {
    // The caller still gets its 403; a lost denial record is logged loudly for the operators.
    container.logger.error('could not audit a denial', { error: auditError as Error });
  }
}

/** Tokens of admin roles already audited by this container (the conditional write dedupes across containers). */
const auditedAdminTokens = new Set<string>();

/**
 * The first use of each admin-role token is audited (`auth:token-use`), once per token id: a marker
 * item with the token's expiry as TTL makes the write conditional, so concurrent containers agree.
 */
async function auditAdminTokenUse(container: Container, ctx: RequestContext): Promise<void> {
  const { principal } = ctx;
  if (!principal.roles.includes('admin') || !principal.tokenId || auditedAdminTokens.has(principal.tokenId)) return;
  auditedAdminTokens.add(principal.tokenId);
  if (auditedAdminTokens.size > 10_000) auditedAdminTokens.clear();
  const entry = auditEntryFrom(ctx, { action: 'auth:token-use', resource: 'session', resourceId: principal.tokenId, detail: { roles: principal.roles } }, container.clock, container.ids);
  try {
    await container.store.transact([
      { type: 'put', item: { pk: `T#${principal.tenantId}#TOKENUSE#${principal.tokenId}`, sk: 'USED', entity: 'token-use', tenantId: principal.tenantId, expiresAt: Math.floor(container.clock.now().getTime() / 1000) + 86_400 }, condition: { kind: 'notExists' } },
      auditPutOperation(entry),
    ]);
  } catch (error) {
    if (!(error instanceof TransactionConflictError)) container.logger.error('could not audit an admin token use', { error: error as Error });
  }
}

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

function parseBody(event: APIGatewayProxyEvent, headers: Record<string, string>, expected: boolean): unknown {
  const text = event.body === null || event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (text.length === 0) {
    if (expected) throw new AppError('validation_failed', 'A JSON body is required', { errors: [{ path: 'body', message: 'required' }] });
    return undefined;
  }
  if (!expected) throw new AppError('validation_failed', 'This operation takes no body', { errors: [{ path: 'body', message: 'not allowed' }] });
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) throw new AppError('payload_too_large', `The body exceeds ${MAX_BODY_BYTES} bytes`);
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]*\+json$/.test(type)) {
    throw new AppError('unsupported_media_type', 'Send the body as application/json');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('invalid_json', `The body is not valid JSON: ${(error as Error).message}`);
  }
}

function parseWith<T>(schema: z.ZodType<T> | undefined, value: unknown, where: 'body' | 'query'): T {
  if (!schema) {
    if (where === 'query' && value && Object.keys(value as object).length > 0) {
      const errors = Object.keys(value as object).map((k) => ({ path: `query.${k}`, message: 'unknown parameter' }));
      throw new AppError('validation_failed', 'This operation takes no query parameters', { errors });
    }
    return value as T;
  }
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

function toResponse(result: HttpResult, requestId: string): APIGatewayProxyResult {
  const headers: Record<string, string> = { 'x-request-id': requestId, ...result.headers };
  if (result.raw) {
    const binary = Buffer.isBuffer(result.raw.data);
    return {
      statusCode: result.status,
      headers: { 'content-type': result.raw.contentType, ...headers },
      body: binary ? (result.raw.data as Buffer).toString('base64') : (result.raw.data as string),
      isBase64Encoded: binary,
    };
  }
  if (result.body === undefined) return { statusCode: result.status, headers, body: '' };
  return { statusCode: result.status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(result.body) };
}

function errorResponse(error: unknown, container: Container, requestId: string, path: string | undefined): APIGatewayProxyResult {
  if (error instanceof AppError) {
    if (error.status >= 500) container.logger.error('request failed', { code: error.code, error });
    else container.logger.info('request rejected', { code: error.code, status: error.status });
    return problemResponse(problemOf(error, requestId, path), { 'x-request-id': requestId });
  }
  // Unknown errors: log everything, disclose nothing but the request id.
  container.logger.error('unhandled error', { error: error as Error });
  return problemResponse(problemOf(new AppError('internal_error', `Something went wrong; quote request id ${requestId}`), requestId, path), {
    'x-request-id': requestId,
  });
}

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { status, body, headers };
}
