import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalLakeWriter } from '@crm/adapters/local-lake';
import { compactRecentLakePartitions, exportChangesToLake, type ChangeRecord } from '@crm/core';

const interaction = (tenantId: string, id: string, occurredAt: string): ChangeRecord => ({
  eventId: `ev-${id}`, eventName: 'INSERT', approximateCreationTime: Date.parse(occurredAt),
  newImage: { entity: 'interaction', tenantId, id, customerId: 'c1', channel: 'sms', type: 'message', occurredAt },
});
const note = (tenantId: string): ChangeRecord => ({ eventId: 'ev-note', eventName: 'INSERT', approximateCreationTime: 0, newImage: { entity: 'note', tenantId, id: 'n1' } });

describe('exportChangesToLake / compactRecentLakePartitions', () => {
  let root: string;
  let lake: LocalLakeWriter;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'crm-lake-export-'));
    lake = new LocalLakeWriter({ root });
  });
  afterEach(async () => {
    await lake.close();
    await rm(root, { recursive: true, force: true });
  });

  it('writes one file per table, tenant and day, named after the batch; a redelivered batch adds no file', async () => {
    const batch = [interaction('A', 'i1', '2026-03-01T10:00:00.000Z'), note('A'), interaction('B', 'i2', '2026-03-01T11:00:00.000Z'), interaction('A', 'i3', '2026-03-02T00:00:00.000Z'), interaction('A', 'i4', '2026-03-01T12:00:00.000Z')];
    expect(await exportChangesToLake(lake, '42', batch)).toEqual({ files: 3, rows: 4 });
    expect(await exportChangesToLake(lake, '42', batch)).toEqual({ files: 3, rows: 4 });
    expect(await lake.files({ table: 'interactions', tenantId: 'A', dt: '2026-03-01' })).toEqual(['42.parquet']);
    expect(await lake.files({ table: 'interactions', tenantId: 'A', dt: '2026-03-02' })).toEqual(['42.parquet']);
    expect(await lake.files({ table: 'interactions', tenantId: 'B', dt: '2026-03-01' })).toEqual(['42.parquet']);
    expect(await exportChangesToLake(lake, '43', [note('A')])).toEqual({ files: 0, rows: 0 });
  });

  it("compacts only yesterday's and today's partitions with more than the minimum number of settled files", async () => {
    for (const [batch, day] of [['1', '2026-03-10'], ['2', '2026-03-10'], ['3', '2026-03-09'], ['4', '2026-03-09'], ['5', '2026-03-08'], ['6', '2026-03-08']] as const) {
      await exportChangesToLake(lake, batch, [interaction('A', `i${batch}`, `${day}T08:00:00.000Z`)]);
    }
    await exportChangesToLake(lake, '7', [interaction('B', 'i7', '2026-03-10T08:00:00.000Z')]);
    const result = await compactRecentLakePartitions(lake, new Date('2026-03-10T12:00:00.000Z'), { minFiles: 1, settledMs: 0 });
    expect(result).toEqual({ partitions: 2, merged: 4 });
    const files = (dt: string, tenant = 'A') => readdir(join(root, 'interactions', `tenant=${tenant}`, `dt=${dt}`));
    expect(await files('2026-03-10')).toEqual([expect.stringMatching(/^compacted-.*\.parquet$/)]);
    expect(await files('2026-03-09')).toEqual([expect.stringMatching(/^compacted-.*\.parquet$/)]);
    expect((await files('2026-03-08')).sort()).toEqual(['5.parquet', '6.parquet']);
    expect(await files('2026-03-10', 'B')).toEqual(['7.parquet']);
    // The default minimum keeps a partition of two files as it is.
    await exportChangesToLake(lake, '8', [interaction('B', 'i8', '2026-03-10T09:00:00.000Z')]);
    expect(await compactRecentLakePartitions(lake, new Date('2026-03-10T12:00:00.000Z'), { settledMs: 0 })).toEqual({ partitions: 0, merged: 0 });
  });
});
