import { Aws } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** Per-stage settings, read once from CDK context (`cdk.json` or `-c key=value`). */
export interface StageConfig {
  /** `dev`, `staging`, `prod`, ...; prefixes every stack name (`Crm-<stage>-...`). */
  stage: string;
  /** OAuth redirect URLs of the user app client. */
  callbackUrls: string[];
  logoutUrls: string[];
  /** Hosted-UI domain prefix; globally unique per region, hence the account id in the default. */
  cognitoDomainPrefix: string;
  /** Stage-wide API Gateway throttling (requests per second, burst). */
  apiThrottle: { rateLimit: number; burstLimit: number };
  /**
   * Whether token routes also demand an API key (`x-api-key`), which makes the partner usage plan
   * throttle each partner client separately (docs/adr/0007). Off by default: every caller, the web
   * app included, would then need a key.
   */
  requireApiKeys: boolean;
  /** Object Lock (COMPLIANCE) retention of the audit archive, in days (at least 180). */
  auditRetentionDays: number;
}

/** Audit records stay undeletable for at least six months; the default leaves a margin. */
export const MIN_AUDIT_RETENTION_DAYS = 180;
export const DEFAULT_AUDIT_RETENTION_DAYS = 190;

export const CONTEXT_KEYS = {
  stage: 'crm:stage',
  callbackUrls: 'crm:callbackUrls',
  logoutUrls: 'crm:logoutUrls',
  cognitoDomainPrefix: 'crm:cognitoDomainPrefix',
  apiRateLimit: 'crm:apiRateLimit',
  apiBurstLimit: 'crm:apiBurstLimit',
  requireApiKeys: 'crm:requireApiKeys',
  auditRetentionDays: 'crm:auditRetentionDays',
} as const;

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,15}$/;

/** Fails fast on a malformed stage name instead of producing odd stack or resource names later. */
export function readStageConfig(scope: Construct): StageConfig {
  const stage = String(scope.node.tryGetContext(CONTEXT_KEYS.stage) ?? 'dev');
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`Context ${CONTEXT_KEYS.stage}="${stage}" must match ${STAGE_PATTERN}`);
  }
  return {
    stage,
    callbackUrls: readList(scope, CONTEXT_KEYS.callbackUrls, ['http://localhost:3000/callback']),
    logoutUrls: readList(scope, CONTEXT_KEYS.logoutUrls, ['http://localhost:3000/']),
    // The account id resolves at deploy time, which keeps the app environment-agnostic.
    cognitoDomainPrefix: String(scope.node.tryGetContext(CONTEXT_KEYS.cognitoDomainPrefix) ?? `crm-${stage}-${Aws.ACCOUNT_ID}`),
    apiThrottle: {
      rateLimit: readNumber(scope, CONTEXT_KEYS.apiRateLimit, 100),
      burstLimit: readNumber(scope, CONTEXT_KEYS.apiBurstLimit, 200),
    },
    requireApiKeys: readBoolean(scope, CONTEXT_KEYS.requireApiKeys, false),
    auditRetentionDays: readAuditRetentionDays(scope),
  };
}

/** Context given on the command line arrives as a string, from cdk.json as an array. */
function readList(scope: Construct, key: string, fallback: string[]): string[] {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return fallback;
  const list = Array.isArray(value) ? value.map(String) : String(value).split(',');
  const trimmed = list.map((item) => item.trim()).filter((item) => item.length > 0);
  if (trimmed.length === 0) throw new Error(`Context ${key} must list at least one URL`);
  return trimmed;
}

/** `-c key=true` arrives as a string, cdk.json gives a boolean; anything else is a mistake. */
function readBoolean(scope: Construct, key: string, fallback: boolean): boolean {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context ${key} must be true or false`);
}

function readNumber(scope: Construct, key: string, fallback: number): number {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`Context ${key} must be a positive number`);
  return parsed;
}

/** Compliance-mode retention cannot be shortened once objects exist, so a bad value fails the synth. */
function readAuditRetentionDays(scope: Construct): number {
  const days = readNumber(scope, CONTEXT_KEYS.auditRetentionDays, DEFAULT_AUDIT_RETENTION_DAYS);
  if (!Number.isInteger(days) || days < MIN_AUDIT_RETENTION_DAYS) {
    throw new Error(`Context ${CONTEXT_KEYS.auditRetentionDays} must be a whole number of days >= ${MIN_AUDIT_RETENTION_DAYS}`);
  }
  return days;
}
