import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import { assertBlobKey, assertBlobPrefix, type BlobStore } from '@crm/core';

/**
 * The local blob store: one file per key under a root folder, with the same key layout as the S3
 * bucket (`audit/tenant=<t>/date=<d>/...` becomes `<root>/audit/tenant=<t>/date=<d>/...`). Writes go
 * to a temporary file first and are renamed into place, so a reader never sees half an object.
 */
export class LocalBlobStore implements BlobStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Buffer | string, _contentType: string): Promise<void> {
    const file = this.fileOf(key);
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, file);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.fileOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertBlobPrefix(prefix);
    const dir = join(this.root, ...prefix.split('/').filter(Boolean));
    const keys: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile() && !entry.name.endsWith('.tmp')) keys.push(relative(this.root, path).split(sep).join('/'));
      }
    };
    await walk(dir);
    return keys.sort();
  }

  private fileOf(key: string): string {
    assertBlobKey(key);
    return join(this.root, ...key.split('/'));
  }
}

/** The local blob store rooted at `dir` (e.g. `<CRM_DATA_DIR>/blobs`). */
export function createLocalBlobStore(dir: string): BlobStore {
  return new LocalBlobStore(dir);
}
