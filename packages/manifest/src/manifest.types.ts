/**
 * Types of the one manifest that both the CDK app (infra/) and the local server
 * (packages/local-runtime) are generated from, so the two runtimes cannot drift.
 */

/** Bounded contexts; each gets its own stateless CloudFormation stack (500-resource limit). */
export const BOUNDED_CONTEXTS = ['platform', 'customers', 'interactions', 'sales', 'analytics', 'trust', 'webhooks'] as const;
export type BoundedContext = (typeof BOUNDED_CONTEXTS)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a function may do on the single table; drives least-privilege IAM in the CDK app. */
export type TableAccess = 'none' | 'read' | 'read-write';

export type RouteAuth =
  /** Cognito access token with all of `scopes`; the use case checks `permission` against the role matrix. */
  | { type: 'jwt'; scopes: string[]; permission: string }
  /** No token (docs, OpenAPI document, signed inbound webhooks). */
  | { type: 'public' };

interface EntryBase {
  /** Unique kebab-case name; becomes the function's logical id and bundle folder. */
  name: string;
  context: BoundedContext;
  /** Handler module relative to the repo root; it exports `handler`. */
  entry: string;
  table: TableAccess;
  /** Extra files copied next to the bundle (repo-relative source → file name in the bundle folder). */
  assets?: Array<{ from: string; to: string }>;
  memoryMb?: number;
  timeoutSeconds?: number;
}

export interface HttpRouteEntry extends EntryBase {
  kind: 'http';
  method: HttpMethod;
  /** API Gateway resource path, e.g. `/v1/customers/{id}`; `{name+}` is a greedy segment. */
  path: string;
  auth: RouteAuth;
  summary: string;
}

export interface StreamConsumerEntry extends EntryBase {
  kind: 'stream';
  /** Records per invocation. */
  batchSize: number;
  /** Max seconds to gather a batch. */
  maxBatchingWindowSeconds?: number;
  summary: string;
}

export interface CognitoTriggerEntry extends EntryBase {
  kind: 'cognito-trigger';
  trigger: 'pre-token-generation';
  summary: string;
}

export type ManifestEntry = HttpRouteEntry | StreamConsumerEntry | CognitoTriggerEntry;
