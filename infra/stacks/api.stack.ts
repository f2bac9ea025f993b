import { CfnOutput, ReferenceStrength, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
  type MethodOptions,
  type RequestValidator,
} from 'aws-cdk-lib/aws-apigateway';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ERROR_CODES, type ErrorCode } from '@crm/core';
import { rateLimitPolicyHeader, type HttpRouteEntry } from '@crm/manifest';
import type { StageConfig } from '../config';
import { pascalCase } from '../naming';
import { acknowledgeNagRule } from '../nag';
import { EdgeProtection } from '../constructs/edge-protection';

export interface ApiRoute {
  entry: HttpRouteEntry;
  /** ARN attribute of the entry's function in its bounded-context stack. */
  functionArn: string;
}

export interface ApiStackProps extends StackProps {
  config: StageConfig;
  userPool: IUserPool;
  routes: readonly ApiRoute[];
}

/**
 * Responses API Gateway sends itself (before or instead of a handler), mapped to the same
 * problem+json codes the handlers use. Every 4XX/5XX type is listed so DEFAULT_4XX/5XX only catch
 * types AWS adds later. `status` overrides API Gateway's own status where ours is more accurate.
 */
const GATEWAY_PROBLEMS: Array<{ type: ResponseType; code: ErrorCode; status?: number; retryAfter?: boolean }> = [
  { type: ResponseType.UNAUTHORIZED, code: 'unauthorized' },
  { type: ResponseType.EXPIRED_TOKEN, code: 'unauthorized', status: 401 },
  { type: ResponseType.INVALID_SIGNATURE, code: 'unauthorized', status: 401 },
  { type: ResponseType.ACCESS_DENIED, code: 'forbidden' },
  { type: ResponseType.INVALID_API_KEY, code: 'forbidden' },
  { type: ResponseType.WAF_FILTERED, code: 'forbidden' },
  // A REST API answers an unknown path or method with 403 "Missing Authentication Token".
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, code: 'route_not_found', status: 404 },
  { type: ResponseType.RESOURCE_NOT_FOUND, code: 'route_not_found' },
  { type: ResponseType.BAD_REQUEST_PARAMETERS, code: 'validation_failed' },
  { type: ResponseType.BAD_REQUEST_BODY, code: 'validation_failed' },
  { type: ResponseType.REQUEST_TOO_LARGE, code: 'payload_too_large' },
  { type: ResponseType.UNSUPPORTED_MEDIA_TYPE, code: 'unsupported_media_type' },
  { type: ResponseType.THROTTLED, code: 'rate_limited', retryAfter: true },
  { type: ResponseType.QUOTA_EXCEEDED, code: 'rate_limited', retryAfter: true },
  { type: ResponseType.INTEGRATION_TIMEOUT, code: 'service_unavailable', status: 503, retryAfter: true },
  { type: ResponseType.DEFAULT_4XX, code: 'validation_failed', status: 400 },
  // Generic 500 without internals, like the handlers' error mapper.
  { type: ResponseType.DEFAULT_5XX, code: 'internal_error', status: 500 },
];

/** Same shape as the runtime's `problemOf` (packages/runtime/src/problem.ts). */
function problemTemplate(code: ErrorCode, status: number): string {
  const { title } = ERROR_CODES[code];
  // `messageString` is already a quoted JSON string; the rest are literals we control.
  return `{"type":"/problems/${code.replace(/_/g, '-')}","title":${JSON.stringify(title)},"status":${status},"detail":$context.error.messageString,"code":"${code}","requestId":"$context.requestId"}`;
}

/** `/v1/customers/{id}` → `{ 'method.request.path.id': true }` so the request validator checks them. */
function pathParameters(path: string): Record<string, boolean> {
  const names = [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((match) => match[1]!);
  return Object.fromEntries(names.map((name) => [`method.request.path.${name}`, true]));
}

/**
 * The REST API: one method per http manifest entry. Deployed last; functions are imported by ARN so
 * the per-method invoke permissions live here and no function stack depends on this one.
 * Size: about 2.3 resources per route (method, invoke permission, path resources), so this stack
 * reaches the 400-resource budget (test/infra/limits.test.ts) near 150 routes; past that, move
 * each context's methods into a nested stack under the same RestApi.
 */
export class ApiStack extends Stack {
  readonly api: RestApi;
  private readonly requireApiKeys: boolean;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.api = new RestApi(this, 'Api', {
      restApiName: `crm-${config.stage}`,
      description: `CRM ${config.stage} REST API (generated from the manifest)`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // API Gateway can only write access/execution logs through the account-level CloudWatch role;
      // creating it here makes a fresh account work. RETAIN: other stages may rely on it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: config.stage,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        tracingEnabled: true,
        metricsEnabled: true,
        // ERROR only: INFO and data tracing would log request bodies (customer data).
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: config.apiThrottle.rateLimit,
        throttlingBurstLimit: config.apiThrottle.burstLimit,
      },
    });
    acknowledgeNagRule(
      this.api,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-level API Gateway logging role uses the AWS policy made for exactly that purpose.',
    );
    // WAF web ACL (managed rules, per-IP and per-Authorization rate rules) and the partner usage plan.
    new EdgeProtection(this, 'Edge', { stage: config.stage, api: this.api });
    this.requireApiKeys = config.requireApiKeys;
    // API Gateway's THROTTLED/QUOTA_EXCEEDED do not say which limit hit; the stage-wide one is the
    // one every caller shares, so that is the policy advertised.
    const stagePolicy = rateLimitPolicyHeader(
      { ratePerSecond: config.apiThrottle.rateLimit, burst: config.apiThrottle.burstLimit },
      'stage',
    );

    for (const { type, code, status, retryAfter } of GATEWAY_PROBLEMS) {
      const effectiveStatus = status ?? ERROR_CODES[code].status;
      this.api.addGatewayResponse(`Problem${pascalCase(type.responseType.toLowerCase())}`, {
        type,
        statusCode: status === undefined ? undefined : String(status),
        responseHeaders: {
          'Content-Type': "'application/problem+json'",
          ...(retryAfter ? { 'Retry-After': "'1'" } : {}),
          ...(code === 'rate_limited' ? { 'RateLimit-Policy': `'${stagePolicy}'` } : {}),
        },
        templates: { 'application/json': problemTemplate(code, effectiveStatus) },
      });
    }

    // Body validation is a no-op without request models: bodies are validated by the handlers'
    // zod schemas (one source for validation, types and OpenAPI). Path parameters are checked here.
    const validator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [props.userPool] });

    for (const route of props.routes) this.addRoute(route, validator, authorizer);

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
  }

  private addRoute({ entry, functionArn }: ApiRoute, validator: RequestValidator, authorizer: CognitoUserPoolsAuthorizer): void {
    const handler = LambdaFunction.fromFunctionAttributes(this, `${pascalCase(entry.name)}Handler`, {
      // Weak (Fn::GetStackOutput, no export): removing an entry's function must not be blocked by
      // an export this stack still imports (the "deadly embrace" of strong references).
      functionArn: Stack.consumeReference(functionArn, ReferenceStrength.WEAK),
      sameEnvironment: true,
    });
    const auth: MethodOptions =
      entry.auth.type === 'jwt'
        ? // Scopes make the authorizer demand an access token (ID tokens carry no scopes).
          { authorizationType: AuthorizationType.COGNITO, authorizer, authorizationScopes: entry.auth.scopes }
        : { authorizationType: AuthorizationType.NONE };
    const method = this.api.root.resourceForPath(entry.path).addMethod(
      entry.method,
      // No test-invoke permission: it would double the Lambda permissions for a console feature.
      new LambdaIntegration(handler, { allowTestInvoke: false }),
      {
        ...auth,
        // With crm:requireApiKeys, token routes count against the caller's usage plan (per partner client).
        apiKeyRequired: this.requireApiKeys && entry.auth.type === 'jwt',
        requestValidator: validator,
        requestParameters: pathParameters(entry.path),
      },
    );
    if (entry.auth.type === 'public') {
      const reason = `Public by design (manifest auth: public): ${entry.method} ${entry.path}, ${entry.summary}.`;
      acknowledgeNagRule(method, 'APIG4', reason);
      acknowledgeNagRule(method, 'COG4', reason);
    }
  }
}
