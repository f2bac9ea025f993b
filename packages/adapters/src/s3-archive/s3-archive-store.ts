import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  archiveCustomerPrefix, archivedProfileKey, archiveFileName, archivePage, archiveTenantPrefix, distinctNewestFirst, fromJsonLines, isArchiveFileName, toJsonLines,
  type ArchiveBatch, type ArchiveStore, type Item,
} from '@crm/core';

export interface S3ArchiveStoreOptions {
  /** Created once per container by the composition root. */
  client: S3Client;
  /** The lake bucket (SSE-KMS with the data key is its default; no per-request headers). */
  bucket: string;
}

export const JSON_LINES_CONTENT_TYPE = 'application/x-ndjson';

/**
 * The archive in the lake bucket: `archive/timeline/tenant=<t>/customer=<c>/<digest>.jsonl`, one
 * PutObject per file (atomic: readers never see half a file), and archived customer profiles at
 * `archive/customers/tenant=<t>/customer=<c>/profile.json`. Reads list the customer's prefix and
 * get every file: archived history is cold and read rarely (a timeline paged past its live part,
 * a rehydration, the reconciliation).
 */
export class S3ArchiveStore implements ArchiveStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3ArchiveStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
  }

  async append(tenantId: string, customerId: string, items: readonly Item[]): Promise<string> {
    if (items.length === 0) return '';
    const name = archiveFileName(items);
    await this.client.send(new PutObjectCommand({
      Bucket: this.bucket, Key: `${archiveCustomerPrefix(tenantId, customerId)}/${name}`, Body: toJsonLines(items), ContentType: JSON_LINES_CONTENT_TYPE,
    }));
    return name;
  }

  async read(tenantId: string, customerId: string, options: { beforeSk?: string; limit: number }): Promise<{ items: Item[]; more: boolean }> {
    return archivePage(distinctNewestFirst(await this.batches(tenantId, customerId)), options);
  }

  async batches(tenantId: string, customerId: string): Promise<ArchiveBatch[]> {
    const prefix = `${archiveCustomerPrefix(tenantId, customerId)}/`;
    const names = (await this.keys(prefix)).map((key) => key.slice(prefix.length)).filter(isArchiveFileName).sort();
    const batches = await Promise.all(names.map(async (name) => {
      const body = await this.get(`${prefix}${name}`);
      return body === undefined ? undefined : { name, items: fromJsonLines(body) };
    }));
    return batches.filter((b): b is ArchiveBatch => b !== undefined);
  }

  async remove(tenantId: string, customerId: string, names: readonly string[]): Promise<void> {
    const prefix = archiveCustomerPrefix(tenantId, customerId);
    const keys = names.filter(isArchiveFileName).map((name) => ({ Key: `${prefix}/${name}` }));
    // DeleteObjects takes at most 1000 keys per request.
    for (let i = 0; i < keys.length; i += 1000) {
      const result = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.slice(i, i + 1000), Quiet: true } }));
      if (result.Errors && result.Errors.length > 0) throw new Error(`Could not delete archive objects: ${result.Errors.map((e) => `${e.Key} ${e.Code}`).join(', ')}`);
    }
  }

  async count(tenantId: string): Promise<number> {
    const prefix = `${archiveTenantPrefix(tenantId)}/`;
    const customers = new Set<string>();
    for (const key of await this.keys(prefix)) {
      const folder = key.slice(prefix.length).split('/')[0]!;
      if (folder.startsWith('customer=')) customers.add(folder.slice('customer='.length));
    }
    let total = 0;
    for (const customerId of [...customers].sort()) total += distinctNewestFirst(await this.batches(tenantId, customerId)).length;
    return total;
  }

  async putProfile(tenantId: string, customerId: string, profile: Item): Promise<void> {
    await this.client.send(new PutObjectCommand({
      Bucket: this.bucket, Key: archivedProfileKey(tenantId, customerId), Body: JSON.stringify(profile), ContentType: 'application/json',
    }));
  }

  async getProfile(tenantId: string, customerId: string): Promise<Item | undefined> {
    const body = await this.get(archivedProfileKey(tenantId, customerId));
    return body === undefined ? undefined : (JSON.parse(body) as Item);
  }

  async removeProfile(tenantId: string, customerId: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: archivedProfileKey(tenantId, customerId) }));
  }

  private async keys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  private async get(key: string): Promise<string | undefined> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await result.Body!.transformToString('utf8');
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}
