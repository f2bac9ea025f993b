import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

/**
 * The deployed path without AWS: the exported Lambda handlers, composed by the AWS container from
 * environment variables exactly as in Lambda (CRM_RUNTIME=aws, TABLE_NAME, AWS_REGION), talking to
 * DynamoDB Local, with events shaped like API Gateway's (claims as the Cognito authorizer passes them).
 */
type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let local: DynamoDbLocal;
const handlers: Record<string, Handler> = {};

beforeAll(async () => {
  local = await startDynamoDbLocal();
  const tableName = await local.createTable('lambda');
  Object.assign(process.env, {
    CRM_RUNTIME: 'aws',
    TABLE_NAME: tableName,
    AWS_REGION: local.clientConfig.region, // DynamoDB Local keeps tables per region and access key
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
    AWS_ACCESS_KEY_ID: local.clientConfig.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: local.clientConfig.credentials.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'crm-customers',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  for (const name of ['create-customer', 'get-customer', 'update-customer', 'delete-customer', 'restore-customer', 'list-customers']) {
    handlers[name] = ((await import(`../../functions/customers/${name}.handler.ts`)) as { handler: Handler }).handler;
  }
});
afterAll(() => local?.stop());

function event(method: string, resource: string, o: { tenant?: string; id?: string; body?: unknown; query?: Record<string, string>; headers?: Record<string, string> } = {}): APIGatewayProxyEvent {
  const path = resource.replace('{id}', o.id ?? '');
  return {
    resource, path, httpMethod: method,
    headers: { 'Content-Type': 'application/json', ...o.headers },
    multiValueHeaders: {},
    queryStringParameters: o.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: o.id ? { id: o.id } : null,
    stageVariables: null,
    body: o.body === undefined ? null : JSON.stringify(o.body),
    isBase64Encoded: false,
    requestContext: {
      // API Gateway hands Cognito claims over as strings, lists included.
      authorizer: { claims: { sub: 'u-123', username: 'alice', 'cognito:groups': '[admin sales]', scope: 'crm/customers.read crm/customers.write', client_id: 'web', token_use: 'access', 'custom:tenant_id': o.tenant ?? 'acme' } },
      requestId: `req-${Math.random()}`, identity: { sourceIp: '203.0.113.9' }, path, stage: 'prod', resourcePath: resource, httpMethod: method,
    },
  } as unknown as APIGatewayProxyEvent;
}

const context = { awsRequestId: 'aws-req', functionName: 'fn', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const invoke = async (name: string, e: APIGatewayProxyEvent) => {
  const res = await handlers[name]!(e, context);
  return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
};

describe('Lambda handlers on DynamoDB Local', () => {
  it('runs the customer lifecycle end to end', async () => {
    const created = await invoke('create-customer', event('POST', '/v1/customers', { body: { kind: 'company', name: 'Dyna Co', tags: ['vip'] }, headers: { 'Idempotency-Key': 'abc' } }));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers?.etag).toBe('"1"');
    expect(created.json).toMatchObject({ name: 'Dyna Co', ownerId: 'u-123', createdBy: 'u-123', version: 1 });
    const id = created.json.id as string;

    const replay = await invoke('create-customer', event('POST', '/v1/customers', { body: { kind: 'company', name: 'Dyna Co', tags: ['vip'] }, headers: { 'Idempotency-Key': 'abc' } }));
    expect(replay.json.id).toBe(id);

    expect((await invoke('get-customer', event('GET', '/v1/customers/{id}', { id }))).json).toEqual(created.json);
    const patched = await invoke('update-customer', event('PATCH', '/v1/customers/{id}', { id, body: { tags: ['gold'] }, headers: { 'If-Match': '"1"' } }));
    expect([patched.statusCode, patched.json.version]).toEqual([200, 2]);
    const stale = await invoke('update-customer', event('PATCH', '/v1/customers/{id}', { id, body: { name: 'x' }, headers: { 'If-Match': '"1"' } }));
    expect([stale.statusCode, stale.headers?.['content-type'], stale.json.code]).toEqual([412, 'application/problem+json', 'precondition_failed']);

    const byTag = await invoke('list-customers', event('GET', '/v1/customers', { query: { tag: 'gold' } }));
    expect(byTag.json.items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await invoke('list-customers', event('GET', '/v1/customers', { query: { tag: 'vip' } }))).json.items).toEqual([]);

    expect((await invoke('get-customer', event('GET', '/v1/customers/{id}', { id, tenant: 'globex' }))).statusCode).toBe(404);
    expect((await invoke('delete-customer', event('DELETE', '/v1/customers/{id}', { id, tenant: 'globex' }))).statusCode).toBe(404);

    expect((await invoke('delete-customer', event('DELETE', '/v1/customers/{id}', { id }))).statusCode).toBe(204);
    expect((await invoke('get-customer', event('GET', '/v1/customers/{id}', { id }))).statusCode).toBe(404);
    expect((await invoke('restore-customer', event('POST', '/v1/customers/{id}/restore', { id }))).json.version).toBe(4);
  });

  it('pages a list on DynamoDB with the same cursors', async () => {
    for (let i = 0; i < 7; i++) {
      expect((await invoke('create-customer', event('POST', '/v1/customers', { tenant: 'pager', body: { kind: 'person', name: `P${i}` } }))).statusCode).toBe(201);
    }
    const names: string[] = [];
    let after: string | undefined;
    do {
      const page = await invoke('list-customers', event('GET', '/v1/customers', { tenant: 'pager', query: { limit: '3', ...(after ? { after } : {}) } }));
      names.push(...page.json.items.map((c: { name: string }) => c.name));
      after = page.json.next ?? undefined;
    } while (after);
    expect(names).toEqual(['P0', 'P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
  });

  it('answers problem+json for bad input and a missing tenant claim', async () => {
    const bad = await invoke('create-customer', event('POST', '/v1/customers', { body: { kind: 'person' } }));
    expect([bad.statusCode, bad.json.code, bad.json.errors[0].path]).toEqual([400, 'validation_failed', 'body.name']);
    const noTenant = event('GET', '/v1/customers');
    delete (noTenant.requestContext.authorizer!.claims as Record<string, string>)['custom:tenant_id'];
    const res = await invoke('list-customers', noTenant);
    expect([res.statusCode, res.json.code]).toEqual([403, 'forbidden']);
  });
});
