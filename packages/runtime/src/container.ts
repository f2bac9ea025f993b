import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { createTenantScopedStoreProvider, DynamoDbTableStore, guardTenant } from '@crm/adapters/dynamodb';
import { createS3BlobStore } from '@crm/adapters/s3';
import { createKmsFieldEncryptor } from '@crm/adapters/kms-encryption';
import { createHttpCompanyRegistry } from '@crm/adapters/company-registry';
import { S3Client } from '@aws-sdk/client-s3';
import { fieldEncryptionUnavailable, systemClock, type BlobStore, type BlobTransferStore, type CompanyRegistry, type Clock, type FieldEncryptor, type IdGenerator, type TableStore } from '@crm/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monotonicFactory } from 'ulid';
import { AwsRuntimeConfig, parseConfig } from './config';

/** Static files a function serves (Swagger UI, the OpenAPI document), by file name. */
export interface AssetSource {
  read(name: string): Buffer | undefined;
}

/**
 * The adapters a handler works with. Built once per container (Lambda cold start or local process)
 * by exactly one composition root: `createAwsContainer` here, or the local runtime's, which installs
 * itself with `setContainer` before any handler runs.
 */
export interface Container {
  /** The function's own store: stream consumers and triggers (not tenant-bound). */
  store: TableStore;
  /**
   * A store confined to one tenant's key space, for request handlers: in AWS through credentials of
   * the tenant data-access role assumed with the tenant as session tag (IAM `dynamodb:LeadingKeys`),
   * locally through the same check in code (`guardTenant`).
   */
  storeFor(tenantId: string): Promise<TableStore>;
  /** Object storage (audit archive, later the lake): S3 in AWS, a folder locally. */
  blobs: BlobStore;
  /**
   * Presigned transfers of import uploads, error reports and exports (bucket `IMPORTS_BUCKET`, only
   * for functions the manifest gives `buckets: ['imports']`); locally the blob folder served by the
   * local server.
   */
  transfers?: BlobTransferStore;
  /** Call recordings (bucket `RECORDINGS_BUCKET`: SSE-KMS, Object Lock); locally the transfer folder. */
  recordings?: BlobTransferStore;
  /** Envelope encryption of sensitive fields: KMS keyring in AWS, a local key file locally (same format). */
  encryptor: FieldEncryptor;
  /** Business-registry lookups for company enrichment (HTTP provider in AWS, fixture file locally). */
  companyRegistry: CompanyRegistry;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  assets: AssetSource;
}

let current: Container | undefined;

const unconfigured = (): never => {
  throw new Error('This function has no bucket (add `buckets` to its manifest entry)');
};
const unconfiguredBlobs: BlobStore = { put: unconfigured, get: unconfigured, list: unconfigured };

export function setContainer(container: Container): void {
  current = container;
}

/** The process's container; in Lambda, created from the environment on first use. */
export function getContainer(): Container {
  current ??= createAwsContainer(process.env);
  return current;
}

export function ulidGenerator(): IdGenerator {
  const next = monotonicFactory();
  return { next: () => next() };
}

/** Composition root of the AWS runtime: DynamoDB, one SDK client per container. */
export function createAwsContainer(env: Record<string, string | undefined>): Container {
  const config = parseConfig(AwsRuntimeConfig, env);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.AWS_REGION }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const taskRoot = env.LAMBDA_TASK_ROOT ?? process.cwd();
  const store = new DynamoDbTableStore({ client, tableName: config.TABLE_NAME, clock: systemClock });
  // One S3 client per container. Checksums only when S3 requires them: the SDK's default would sign
  // a CRC32 of an empty body into presigned PUT URLs, and S3 would refuse the client's real upload.
  let s3Client: S3Client | undefined;
  const s3 = () => (s3Client ??= new S3Client({ region: config.AWS_REGION, requestChecksumCalculation: 'WHEN_REQUIRED' }));
  const tenantStores = config.TENANT_ROLE_ARN
    ? createTenantScopedStoreProvider({ roleArn: config.TENANT_ROLE_ARN, tableName: config.TABLE_NAME, region: config.AWS_REGION, clock: systemClock })
    : async (tenantId: string) => guardTenant(store, tenantId);
  return {
    store,
    storeFor: tenantStores,
    // Only functions the manifest gives a bucket have one; others fail loudly if they try to use it.
    // Without the key (manifest `fieldEncryption` unset) encrypting throws instead of storing plaintext.
    encryptor: config.FIELD_KEY_ARN ? createKmsFieldEncryptor({ keyArn: config.FIELD_KEY_ARN, region: config.AWS_REGION }) : fieldEncryptionUnavailable,
    // No provider configured: lookups fail, which enrichment reports as `unavailable` (never blocks a write).
    companyRegistry: config.COMPANY_REGISTRY_URL
      ? createHttpCompanyRegistry({ baseUrl: config.COMPANY_REGISTRY_URL, provider: config.COMPANY_REGISTRY_PROVIDER })
      : { lookup: () => Promise.reject(new Error('No company registry configured (COMPANY_REGISTRY_URL)')) },
    blobs: config.AUDIT_BUCKET ? createS3BlobStore({ client: s3(), bucket: config.AUDIT_BUCKET }) : unconfiguredBlobs,
    ...(config.IMPORTS_BUCKET ? { transfers: createS3BlobStore({ client: s3(), bucket: config.IMPORTS_BUCKET }) } : {}),
    ...(config.RECORDINGS_BUCKET ? { recordings: createS3BlobStore({ client: s3(), bucket: config.RECORDINGS_BUCKET }) } : {}),
    clock: systemClock,
    ids: ulidGenerator(),
    logger: new Logger({ serviceName: config.POWERTOOLS_SERVICE_NAME }),
    // Assets are copied next to the bundle (see the manifest's `assets`).
    assets: {
      read: (name) => {
        if (!/^[A-Za-z0-9._-]+$/.test(name)) return undefined;
        try {
          return readFileSync(join(taskRoot, name));
        } catch {
          return undefined;
        }
      },
    },
  };
}
