import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@crm/core';
import { resourcesOf, synthCrm } from './synth-crm';

describe('api stack', () => {
  let api: Template;
  beforeAll(() => {
    api = synthCrm().templates.get('Crm-dev-Api')!;
  });

  it('is one regional REST API with a Cognito authorizer and a request validator', () => {
    api.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    api.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    api.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    api.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS', ProviderARNs: Match.anyValue() });
    api.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    for (const method of Object.values(resourcesOf(api, 'AWS::ApiGateway::Method'))) {
      expect(method.Properties!.RequestValidatorId).toBeDefined();
    }
  });

  it('logs access, traces and throttles the stage', () => {
    api.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, DataTraceEnabled: false }),
      ],
    });
  });

  it('declares path parameters as required so the validator checks them', () => {
    const withId = Object.values(resourcesOf(api, 'AWS::ApiGateway::Method')).filter(
      (method) => (method.Properties!.RequestParameters as Record<string, boolean> | undefined)?.['method.request.path.id'] === true,
    );
    expect(withId.length).toBeGreaterThan(0);
  });

  it('answers gateway-level errors as problem+json with a stable code', () => {
    const responses = Object.values(resourcesOf(api, 'AWS::ApiGateway::GatewayResponse')).map((response) => response.Properties!);
    const byType = new Map(responses.map((response) => [response.ResponseType as string, response]));
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX', 'UNAUTHORIZED', 'ACCESS_DENIED', 'THROTTLED', 'MISSING_AUTHENTICATION_TOKEN']) {
      expect(byType.has(type), type).toBe(true);
    }
    for (const response of responses) {
      expect(response.ResponseParameters).toMatchObject({ 'gatewayresponse.header.Content-Type': "'application/problem+json'" });
      const template = (response.ResponseTemplates as Record<string, string>)['application/json']!;
      // The template is JSON once API Gateway substitutes its quoted message string.
      const body = JSON.parse(template.replace('$context.error.messageString', '"message"')) as Record<string, unknown>;
      expect(Object.keys(ERROR_CODES)).toContain(body.code);
      expect(body).toMatchObject({ type: expect.stringMatching(/^\/problems\//), title: expect.any(String), status: expect.any(Number) });
      if (response.StatusCode) expect(String(body.status)).toBe(response.StatusCode);
    }
    const bodyOf = (type: string) =>
      JSON.parse((byType.get(type)!.ResponseTemplates as Record<string, string>)['application/json']!.replace('$context.error.messageString', '""'));
    expect(bodyOf('UNAUTHORIZED')).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(bodyOf('ACCESS_DENIED')).toMatchObject({ code: 'forbidden', status: 403 });
    // REST APIs answer unknown routes with 403 "Missing Authentication Token"; ours say 404.
    expect(bodyOf('MISSING_AUTHENTICATION_TOKEN')).toMatchObject({ code: 'route_not_found', status: 404 });
    expect(byType.get('MISSING_AUTHENTICATION_TOKEN')!.StatusCode).toBe('404');
    expect(byType.get('THROTTLED')!.ResponseParameters).toMatchObject({ 'gatewayresponse.header.Retry-After': "'1'" });
  });

  it('outputs the API URL', () => {
    expect(Object.keys(api.toJSON().Outputs)).toContain('ApiUrl');
  });
});
