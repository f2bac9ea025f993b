import { AppError } from '@crm/core';
import { getContainer, problemOf, problemResponse, type Container } from '@crm/runtime';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/** Largest inbound webhook body (a form, a CDR or a WeChat message is far smaller). */
const MAX_INBOUND_BYTES = 256 * 1024;

export interface RawInbound {
  tenantId: string;
  provider: string;
  /** The body exactly as sent: signatures cover these bytes, so it is verified before any parsing. */
  rawBody: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  requestId: string;
  sourceIp?: string;
  /** The tenant-confined store (the tenant comes from the path; the signature then proves it). */
  container: Container;
}

/**
 * A public route that needs the raw body (httpRoute parses JSON only): signature-checked webhooks.
 * Errors become the same problem+json answers as everywhere else.
 */
export function rawInboundRoute(handle: (req: RawInbound) => Promise<APIGatewayProxyResult>) {
  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const container = getContainer();
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    try {
      const rawBody = event.body == null ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      if (Buffer.byteLength(rawBody, 'utf8') > MAX_INBOUND_BYTES) throw new AppError('payload_too_large');
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
      const params = event.pathParameters ?? {};
      const tenantId = params.tenant ?? '';
      const scoped: Container = { ...container, store: await container.storeFor(/^[A-Za-z0-9_-]{1,64}$/.test(tenantId) ? tenantId : 'invalid') };
      return await handle({
        tenantId, provider: params.provider ?? '', rawBody, headers, query: (event.queryStringParameters ?? {}) as Record<string, string>, requestId,
        ...(event.requestContext?.identity?.sourceIp ? { sourceIp: event.requestContext.identity.sourceIp } : {}), container: scoped,
      });
    } catch (error) {
      const appError = error instanceof AppError ? error : new AppError('internal_error', `Something went wrong; quote request id ${requestId}`);
      if (!(error instanceof AppError)) container.logger.error('unhandled error', { error: error as Error });
      return problemResponse(problemOf(appError, requestId, event.path), { 'x-request-id': requestId });
    }
  };
}
