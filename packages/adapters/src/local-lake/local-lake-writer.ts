import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assertLakeBatchId,
  lakePartitionPrefix,
  type LakeCompaction,
  type LakePartition,
  type LakeRow,
  type LakeTable,
  type LakeWriter,
} from '@crm/core';
import { COMPACTION_PLAN_FILE, planCompaction, type CompactionPlan, type LakeFileStamp } from './lake-compaction';
import { ParquetFiles } from './parquet-files';

export { COMPACTION_PLAN_FILE, compactedName } from './lake-compaction';

export interface LocalLakeWriterOptions {
  /** The lake root, `<CRM_DATA_DIR>/lake`. */
  root: string;
  /** Milliseconds since the epoch (tests pass a fixed clock to decide which files are settled). */
  now?: () => number;
}

/**
 * The lake in a folder: `<root>/<table>/tenant=<t>/dt=<d>/<batch-id>.parquet`, the layout of the
 * lake bucket. Files appear atomically (written as `.tmp`, then renamed), so a reader's
 * `*.parquet` glob never sees half a file.
 */
export class LocalLakeWriter implements LakeWriter {
  private readonly parquet = new ParquetFiles();
  private readonly now: () => number;

  constructor(private readonly options: LocalLakeWriterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The folder of a partition. */
  folderOf(partition: LakePartition): string {
    return join(this.options.root, ...lakePartitionPrefix(partition).split('/'));
  }

  async append(partition: LakePartition, batchId: string, rows: readonly LakeRow[]): Promise<void> {
    assertLakeBatchId(batchId);
    if (rows.length === 0) return;
    const folder = this.folderOf(partition);
    await mkdir(folder, { recursive: true });
    const file = join(folder, `${batchId}.parquet`);
    await this.parquet.write(partition.table, rows, `${file}.tmp`);
    await rename(`${file}.tmp`, file);
  }

  async files(partition: LakePartition): Promise<string[]> {
    return (await this.entries(this.folderOf(partition))).filter((name) => name.endsWith('.parquet')).sort();
  }

  async tenantsWithPartition(table: LakeTable, dt?: string): Promise<string[]> {
    const tenants: string[] = [];
    for (const name of await this.entries(join(this.options.root, table))) {
      if (!name.startsWith('tenant=')) continue;
      const tenantId = name.slice('tenant='.length);
      const files = dt === undefined
        ? await readdir(join(this.options.root, table, name), { recursive: true }).catch(() => [] as string[])
        : await this.entries(join(this.options.root, table, name, `dt=${dt}`));
      if (files.some((f) => f.endsWith('.parquet'))) tenants.push(tenantId);
    }
    return tenants.sort();
  }

  async compact(partition: LakePartition, options: { minFiles?: number; settledMs?: number } = {}): Promise<LakeCompaction> {
    const folder = this.folderOf(partition);
    await this.finishInterrupted(folder);
    const now = this.now();
    const stamps: LakeFileStamp[] = [];
    for (const name of await this.files(partition)) stamps.push({ name, lastModified: (await stat(join(folder, name))).mtimeMs });
    const plan = planCompaction(stamps, now, options);
    if (!plan) return { merged: 0, rows: 0 };
    const settled = plan.inputs;
    // 1. the plan, 2. the merged file, 3. deleting the inputs, 4. dropping the plan: a crash after
    // 2 leaves the plan behind, and the next run finishes 3 and 4 before anything else.
    await writeAtomically(join(folder, COMPACTION_PLAN_FILE), JSON.stringify(plan));
    const output = join(folder, plan.output);
    const rows = await this.parquet.merge(partition.table, settled.map((name) => join(folder, name)), `${output}.tmp`);
    await rename(`${output}.tmp`, output);
    await this.deleteInputs(folder, plan);
    return { merged: settled.length, rows, file: plan.output };
  }

  /** Releases the embedded DuckDB. */
  close(): Promise<void> {
    return this.parquet.close();
  }

  private async finishInterrupted(folder: string): Promise<void> {
    const planFile = join(folder, COMPACTION_PLAN_FILE);
    let plan: CompactionPlan;
    try {
      plan = JSON.parse(await readFile(planFile, 'utf8')) as CompactionPlan;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const outputWritten = (await this.entries(folder)).includes(plan.output);
    // Without the merged file the inputs are still the truth: forget the plan and start over.
    if (outputWritten) await this.deleteInputs(folder, plan);
    else await rm(planFile, { force: true });
  }

  private async deleteInputs(folder: string, plan: CompactionPlan): Promise<void> {
    for (const input of plan.inputs) if (input !== plan.output) await rm(join(folder, input), { force: true });
    await rm(join(folder, COMPACTION_PLAN_FILE), { force: true });
  }

  private async entries(folder: string): Promise<string[]> {
    try {
      return await readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

async function writeAtomically(file: string, content: string): Promise<void> {
  await writeFile(`${file}.tmp`, content);
  await rename(`${file}.tmp`, file);
}
