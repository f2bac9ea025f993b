/**
 * Types of the one manifest that both the CDK app (infra/) and the local server
 * (packages/local-runtime) are generated from, so the two runtimes cannot drift.
 */

/** Bounded contexts; each gets its own stateless CloudFormation stack (500-resource limit). */
export const BOUNDED_CONTEXTS = ['platform', 'customers', 'interactions', 'sales', 'analytics', 'trust', 'webhooks'] as const;
export type BoundedContext = (typeof BOUNDED_CONTEXTS)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Buckets of the stateful stack a function may use (`audit`: the Object Lock audit archive, write
 * only; `imports`: import uploads, error reports and exports under `jobs/`, read/write/presign;
 * `recordings`: call recordings under `recordings/`, SSE-KMS + Object Lock, read/write/presign;
 * `lake`: the analytics lake's table prefixes (Parquet partitions), read/write/list/delete for
 * export and compaction; `archive`: the lake bucket's `archive/timeline/` prefix only, read/write/
 * list/delete for the hot/cold archive, env `ARCHIVE_BUCKET`; `customer-archive`: the lake bucket's
 * `archive/customers/` prefix only — the archived full profiles of customer stubs, personal data —
 * for the archiving job and rehydration, env `CUSTOMER_ARCHIVE_BUCKET`).
 */
export const BUCKET_NAMES = ['audit', 'imports', 'recordings', 'lake', 'archive', 'customer-archive'] as const;
export type BucketName = (typeof BUCKET_NAMES)[number];

/**
 * Packages with native code a function may ship (docs/adr/0037): copied with their dependencies
 * from the build machine's node_modules into the bundle folder's own node_modules, since esbuild
 * cannot bundle a `.node` binary. `@duckdb/node-api`: embedded DuckDB, which makes the lake's Parquet.
 */
export const NATIVE_PACKAGES = ['@duckdb/node-api'] as const;
export type NativePackage = (typeof NATIVE_PACKAGES)[number];

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
  /** Buckets the function writes to; infra sets `<NAME>_BUCKET` and grants s3:PutObject on that bucket only. */
  buckets?: BucketName[];
  /**
   * Seals/opens sensitive fields: infra sets `FIELD_KEY_ARN` and grants kms:GenerateDataKey and
   * kms:Decrypt on the field-encryption key only (with the tenant/field encryption context required).
   */
  fieldEncryption?: true;
  /**
   * Geocodes addresses: infra sets `GEOCODER_PLACE_INDEX` to the context stack's Amazon Location
   * place index and grants geo:SearchPlaceIndexForText on that index only.
   */
  placeIndex?: true;
  /**
   * Publishes domain events: infra sets `EVENT_BUS_NAME` to the stage's EventBridge bus and grants
   * events:PutEvents on that bus only.
   */
  eventBus?: 'publish';
  /**
   * Runs the analytics reports: infra sets `ATHENA_WORKGROUP` and `LAKE_DATABASE` and attaches the
   * lake's query policy (this workgroup, this Glue database, the lake tables and Athena results).
   */
  analytics?: 'query';
  /**
   * Native packages shipped next to the bundle (NATIVE_PACKAGES). Their binaries are the Linux x64
   * ones of the build machine's install, so such a function runs on x86_64 (others on arm64), and
   * the handler must load them with a dynamic `import()`.
   */
  nativePackages?: readonly NativePackage[];
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
  /**
   * Only records whose new or old image has one of these `entity` values reach the consumer
   * (Lambda event filtering in AWS; the local dispatcher applies the same filter). Omit for all.
   */
  entities?: readonly string[];
  summary: string;
}

export interface CognitoTriggerEntry extends EntryBase {
  kind: 'cognito-trigger';
  trigger: 'pre-token-generation';
  /** `read`: `cognito-idp:AdminGetUser` on the user pool that invokes it (granted by the identity stack). */
  userPool?: 'none' | 'read';
  summary: string;
}

export interface ScheduleEntry extends EntryBase {
  kind: 'schedule';
  /** Runs every this many minutes (an EventBridge rule `rate(n minutes)` in AWS; a timer in the local change-feed worker). */
  rateMinutes: number;
  summary: string;
}

export type ManifestEntry = HttpRouteEntry | StreamConsumerEntry | CognitoTriggerEntry | ScheduleEntry;
