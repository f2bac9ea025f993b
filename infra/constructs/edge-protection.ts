import { RemovalPolicy } from 'aws-cdk-lib';
import { Period, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ERROR_CODES } from '@crm/core';
import {
  RATE_LIMITS,
  WAF_EVALUATION_WINDOW_SECONDS,
  WAF_RATE_LIMITS,
  rateLimitPolicyHeader,
  type TokenBucketLimit,
} from '@crm/manifest';

export interface EdgeProtectionProps {
  stage: string;
  api: RestApi;
}

/** Body of the WAF's 429: the same problem shape as the handlers and gateway responses. */
const RATE_LIMITED_BODY = JSON.stringify({
  type: '/problems/rate-limited',
  title: ERROR_CODES.rate_limited.title,
  status: 429,
  detail: 'Too many requests from this client; retry after the time in Retry-After',
  code: 'rate_limited',
});

/** A WAF window as a token-bucket-like policy for the `RateLimit-Policy` header. */
function wafPolicy(limit: number): TokenBucketLimit {
  return { burst: limit, ratePerSecond: limit / WAF_EVALUATION_WINDOW_SECONDS };
}

/**
 * The API's edge (docs/adr/0007): a regional WAF web ACL on the stage and a usage plan for partner
 * app clients. Numbers come from RATE_LIMITS in @crm/manifest, which the local server enforces too.
 *
 * - AWS managed common rule set (body-size rule counted only: batch bodies are legitimately large
 *   and API Gateway already caps requests at 10 MB).
 * - Rate-based rule per source IP, and one per `Authorization` header value (custom aggregation
 *   key): one bearer token is one user session or one partner client, so this is the per-principal
 *   limit that works with a Cognito authorizer, which cannot feed API Gateway usage plans.
 * - Blocked requests get 429 problem+json with `Retry-After` and `RateLimit-Policy`.
 * - Logs to CloudWatch with the Authorization header redacted.
 */
export class EdgeProtection extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeProtectionProps) {
    super(scope, id);
    const { stage, api } = props;
    const metric = (name: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `crm-${stage}-${name}` });
    const rateLimitedResponse = (policyName: string, limit: number): CfnWebACL.CustomResponseProperty => ({
      responseCode: 429,
      customResponseBodyKey: 'rate-limited',
      responseHeaders: [
        // A rate-based rule blocks until the count over the window falls below the limit again.
        { name: 'Retry-After', value: String(WAF_EVALUATION_WINDOW_SECONDS) },
        { name: 'RateLimit-Policy', value: rateLimitPolicyHeader(wafPolicy(limit), policyName) },
      ],
    });

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `crm-${stage}-api`,
      description: `CRM ${stage}: managed rules and rate limits in front of the REST API`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: metric('api'),
      customResponseBodies: { 'rate-limited': { contentType: 'APPLICATION_JSON', content: RATE_LIMITED_BODY } },
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          statement: {
            rateBasedStatement: { aggregateKeyType: 'IP', limit: WAF_RATE_LIMITS.perIp, evaluationWindowSec: WAF_EVALUATION_WINDOW_SECONDS },
          },
          action: { block: { customResponse: rateLimitedResponse('ip', WAF_RATE_LIMITS.perIp) } },
          visibilityConfig: metric('rate-per-ip'),
        },
        {
          name: 'rate-per-authorization',
          priority: 1,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'CUSTOM_KEYS',
              // Requests without the header are not counted by this rule (the per-IP rule covers them).
              customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
              limit: WAF_RATE_LIMITS.perAuthorization,
              evaluationWindowSec: WAF_EVALUATION_WINDOW_SECONDS,
            },
          },
          action: { block: { customResponse: rateLimitedResponse('authorization', WAF_RATE_LIMITS.perAuthorization) } },
          visibilityConfig: metric('rate-per-authorization'),
        },
        {
          name: 'aws-common-rule-set',
          priority: 2,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: metric('aws-common-rule-set'),
        },
      ],
    });

    new CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF only delivers to log groups whose name starts with `aws-waf-logs-`.
    const logs = new LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-crm-${stage}-api`,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [logs.logGroupArn],
      // Bearer tokens must not end up in logs.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });

    // Per partner app client: API Gateway throttles per API key. Keys are created when a partner is
    // onboarded (docs/runbook.md) and added to this plan; methods check them only where
    // `apiKeyRequired` is set (context crm:requireApiKeys), see the ADR for why that is opt-in.
    api.addUsagePlan('PartnerUsagePlan', {
      name: `crm-${stage}-partners`,
      description: `CRM ${stage}: per partner client throttling (one API key per partner app client)`,
      throttle: { rateLimit: RATE_LIMITS.partnerClient.ratePerSecond, burstLimit: RATE_LIMITS.partnerClient.burst },
      quota: { limit: RATE_LIMITS.partnerClient.ratePerSecond * 86_400, period: Period.DAY },
      apiStages: [{ api, stage: api.deploymentStage }],
    });
  }
}
