import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  archiveCustomerPrefix, archivedProfileKey, archiveFileName, archivePage, archiveTenantPrefix, distinctNewestFirst, fromJsonLines, isArchiveFileName, toJsonLines,
  type ArchiveBatch, type ArchiveStore, type Item,
} from '@crm/core';

/**
 * The archive in the local lake folder: `<root>/archive/timeline/tenant=<t>/customer=<c>/<digest>.jsonl`
 * and archived profiles at `<root>/archive/customers/tenant=<t>/customer=<c>/profile.json`, the same
 * keys the S3 adapter uses in the lake bucket. Files rather than one SQLite file so that
 * the local lake has the layout of the bucket (DuckDB reads both with `read_json`), and a file is
 * written to a temporary name and renamed, so a reader never sees half of one.
 */
export class LocalArchiveStore implements ArchiveStore {
  constructor(private readonly options: { root: string }) {}

  async append(tenantId: string, customerId: string, items: readonly Item[]): Promise<string> {
    if (items.length === 0) return '';
    const folder = this.folder(tenantId, customerId);
    const name = archiveFileName(items);
    await mkdir(folder, { recursive: true });
    const temp = join(folder, `.${name}.${process.pid}.${Date.now()}.tmp`);
    await writeFile(temp, toJsonLines(items));
    await rename(temp, join(folder, name));
    return name;
  }

  async read(tenantId: string, customerId: string, options: { beforeSk?: string; limit: number }): Promise<{ items: Item[]; more: boolean }> {
    return archivePage(distinctNewestFirst(await this.batches(tenantId, customerId)), options);
  }

  async batches(tenantId: string, customerId: string): Promise<ArchiveBatch[]> {
    const folder = this.folder(tenantId, customerId);
    const names = (await listOrEmpty(folder)).filter(isArchiveFileName).sort();
    return Promise.all(names.map(async (name) => ({ name, items: fromJsonLines(await readFile(join(folder, name), 'utf8')) })));
  }

  async remove(tenantId: string, customerId: string, names: readonly string[]): Promise<void> {
    const folder = this.folder(tenantId, customerId);
    await Promise.all(names.filter(isArchiveFileName).map((name) => rm(join(folder, name), { force: true })));
  }

  async count(tenantId: string): Promise<number> {
    const tenantFolder = join(this.options.root, archiveTenantPrefix(tenantId));
    let total = 0;
    for (const entry of await listOrEmpty(tenantFolder)) {
      if (!entry.startsWith('customer=')) continue;
      total += distinctNewestFirst(await this.batches(tenantId, entry.slice('customer='.length))).length;
    }
    return total;
  }

  async putProfile(tenantId: string, customerId: string, profile: Item): Promise<void> {
    const path = join(this.options.root, archivedProfileKey(tenantId, customerId));
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify(profile));
    await rename(temp, path);
  }

  async getProfile(tenantId: string, customerId: string): Promise<Item | undefined> {
    try {
      return JSON.parse(await readFile(join(this.options.root, archivedProfileKey(tenantId, customerId)), 'utf8')) as Item;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async removeProfile(tenantId: string, customerId: string): Promise<void> {
    await rm(join(this.options.root, archivedProfileKey(tenantId, customerId)), { force: true });
  }

  private folder(tenantId: string, customerId: string): string {
    return join(this.options.root, archiveCustomerPrefix(tenantId, customerId));
  }
}

async function listOrEmpty(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
