import type { ChangeRecord } from '../events/change-record-events';
import { isFieldCiphertext } from '../ports/field-encryptor.port';

/**
 * The lake: the change feed exported as Parquet (ZSTD), Hive-style partitions
 * `<table>/tenant=<tenantId>/dt=<yyyy-mm-dd>/<file>.parquet` (dt = UTC date of the event time),
 * read by Athena (Glue tables with partition projection) and DuckDB with the same SQL. This file
 * fixes the tables, their columns and how a change record becomes lake rows. Nothing sensitive
 * goes in: no names, phones, emails, addresses, payloads, lines or free text — ids, amounts,
 * statuses and times only.
 */
export const LAKE_TABLES = ['orders', 'deal_stage_changes', 'interactions', 'customer_snapshots'] as const;
export type LakeTable = (typeof LAKE_TABLES)[number];

/** Column types in DuckDB spelling; infra maps them to Glue/Hive types (lakeColumnGlueType). */
export type LakeColumnType = 'VARCHAR' | 'DECIMAL(18,2)' | 'TIMESTAMP' | 'INTEGER' | 'BIGINT' | 'BOOLEAN' | 'VARCHAR[]';

export interface LakeColumn {
  readonly name: string;
  readonly type: LakeColumnType;
}

/**
 * Columns of every lake table, in file order. Timestamps are UTC (TIMESTAMP without zone);
 * `customer_snapshots.tags` is a Parquet LIST of strings (DuckDB VARCHAR[], Athena array<string>).
 */
export const LAKE_COLUMNS: Readonly<Record<LakeTable, readonly LakeColumn[]>> = {
  orders: [
    { name: 'tenant_id', type: 'VARCHAR' },
    { name: 'order_id', type: 'VARCHAR' },
    { name: 'customer_id', type: 'VARCHAR' },
    { name: 'amount', type: 'DECIMAL(18,2)' },
    { name: 'currency', type: 'VARCHAR' },
    { name: 'status', type: 'VARCHAR' },
    { name: 'ordered_at', type: 'TIMESTAMP' },
    { name: 'source', type: 'VARCHAR' },
    { name: 'version', type: 'INTEGER' },
  ],
  deal_stage_changes: [
    { name: 'tenant_id', type: 'VARCHAR' },
    { name: 'deal_id', type: 'VARCHAR' },
    { name: 'pipeline_id', type: 'VARCHAR' },
    { name: 'from_stage', type: 'VARCHAR' },
    { name: 'to_stage', type: 'VARCHAR' },
    { name: 'outcome', type: 'VARCHAR' },
    { name: 'changed_at', type: 'TIMESTAMP' },
    { name: 'duration_ms', type: 'BIGINT' },
    { name: 'amount', type: 'DECIMAL(18,2)' },
    { name: 'currency', type: 'VARCHAR' },
    { name: 'owner_id', type: 'VARCHAR' },
  ],
  interactions: [
    { name: 'tenant_id', type: 'VARCHAR' },
    { name: 'interaction_id', type: 'VARCHAR' },
    { name: 'customer_id', type: 'VARCHAR' },
    { name: 'channel', type: 'VARCHAR' },
    { name: 'type', type: 'VARCHAR' },
    { name: 'occurred_at', type: 'TIMESTAMP' },
  ],
  customer_snapshots: [
    { name: 'tenant_id', type: 'VARCHAR' },
    { name: 'customer_id', type: 'VARCHAR' },
    { name: 'kind', type: 'VARCHAR' },
    { name: 'owner_id', type: 'VARCHAR' },
    { name: 'org_path', type: 'VARCHAR' },
    { name: 'tags', type: 'VARCHAR[]' },
    { name: 'created_at', type: 'TIMESTAMP' },
    { name: 'updated_at', type: 'TIMESTAMP' },
    { name: 'version', type: 'INTEGER' },
    { name: 'deleted', type: 'BOOLEAN' },
  ],
};

/** Partition keys of every lake table (Hive-style folder names, in this order). */
export const LAKE_PARTITION_KEYS = ['tenant', 'dt'] as const;

/** A cell value: strings (timestamps as canonical UTC ISO 8601), numbers, booleans, string lists, null. */
export type LakeValue = string | number | boolean | null | readonly string[];
export type LakeRow = Record<string, LakeValue>;

/** One row for one partition of one lake table. */
export interface LakeRowOf {
  table: LakeTable;
  tenantId: string;
  /** UTC date of the event time, `yyyy-mm-dd`. */
  dt: string;
  row: LakeRow;
}

/** The live-table entities the lake reads (the export consumer's stream filter). */
export const LAKE_SOURCE_ENTITIES = ['customer', 'interaction', 'order', 'deal'] as const;

/** Tenant ids become folder names and S3 key segments: only safe, fixed-format ids pass. */
const PARTITION_VALUE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The lake rows of one change record (none for most records). Mapping:
 * - `customer` INSERT/MODIFY that creates a new version → `customer_snapshots` (one row per version;
 *   `deleted` when soft-deleted, merged away or archived into a stub), dt = date of `updatedAt`;
 * - `interaction` INSERT (not the copies a merge moves to the survivor, `movedByMerge`, nor items
 *   restored from the archive, `rehydratedAt`: both were exported when first recorded) →
 *   `interactions`, dt = date of `occurredAt`;
 * - `order` INSERT/MODIFY that creates a new version → `orders` (one row per version; reports keep
 *   the latest version per order), dt = date of `orderedAt` (all versions of an order share it);
 * - `deal` INSERT → a creation row (`from_stage` and `duration_ms` null), `deal` MODIFY whose stage
 *   (or stage entry time, or pipeline) changed → a stage-change row, as for the deal.stage-changed
 *   event; deleted deals add none; dt = date of `stageEnteredAt`. The deal item, not its
 *   `deal-stage-history` item, is the source because only it carries amount, currency, owner and
 *   outcome as they were at the change.
 * REMOVEs (TTL expiry, housekeeping) are the archive's business, not the lake's.
 */
export function lakeRowsFromChange(record: ChangeRecord): LakeRowOf[] {
  if (record.eventName === 'REMOVE') return [];
  const item = record.newImage;
  if (!item || typeof item.tenantId !== 'string' || typeof item.id !== 'string' || !PARTITION_VALUE.test(item.tenantId)) return [];
  const old = record.oldImage;
  switch (item.entity) {
    case 'customer':
      return newVersion(record, item, old) ? customerSnapshot(item, record) : [];
    case 'interaction':
      return record.eventName === 'INSERT' && !item.movedByMerge && !item.rehydratedAt ? interactionRow(item, record) : [];
    case 'order':
      return newVersion(record, item, old) ? orderRow(item, record) : [];
    case 'deal':
      return dealStageRow(record, item, old);
    default:
      return [];
  }
}

/** A create, or a modify that bumped the version (bookkeeping writes of the same version are skipped). */
function newVersion(record: ChangeRecord, item: Record<string, unknown>, old: Record<string, unknown> | undefined): boolean {
  return record.eventName === 'INSERT' || !old || old.version !== item.version;
}

function customerSnapshot(c: Record<string, unknown>, record: ChangeRecord): LakeRowOf[] {
  const updatedAt = utc(c.updatedAt, record);
  const row: LakeRow = {
    tenant_id: c.tenantId as string,
    customer_id: c.id as string,
    kind: text(c.kind),
    owner_id: text(c.ownerId),
    org_path: text(c.orgPath) ?? '/',
    tags: plainStrings(c.tags),
    created_at: utc(c.createdAt, record),
    updated_at: updatedAt,
    version: integer(c.version),
    // An archive stub (`archivedAt`) is no live profile either: the inactive-customers report skips it.
    deleted: Boolean(c.deletedAt || c.mergedInto || c.archivedAt),
  };
  return [{ table: 'customer_snapshots', tenantId: c.tenantId as string, dt: updatedAt.slice(0, 10), row }];
}

function interactionRow(i: Record<string, unknown>, record: ChangeRecord): LakeRowOf[] {
  if (typeof i.customerId !== 'string') return [];
  const occurredAt = utc(i.occurredAt, record);
  const row: LakeRow = {
    tenant_id: i.tenantId as string,
    interaction_id: i.id as string,
    customer_id: i.customerId,
    channel: text(i.channel),
    type: text(i.type),
    occurred_at: occurredAt,
  };
  return [{ table: 'interactions', tenantId: i.tenantId as string, dt: occurredAt.slice(0, 10), row }];
}

function orderRow(o: Record<string, unknown>, record: ChangeRecord): LakeRowOf[] {
  if (typeof o.customerId !== 'string' || typeof o.amount !== 'number') return [];
  const orderedAt = utc(o.orderedAt, record);
  const row: LakeRow = {
    tenant_id: o.tenantId as string,
    order_id: o.id as string,
    customer_id: o.customerId,
    amount: o.amount,
    currency: text(o.currency),
    status: text(o.status),
    ordered_at: orderedAt,
    source: text(o.source) ?? 'manual',
    version: integer(o.version),
  };
  return [{ table: 'orders', tenantId: o.tenantId as string, dt: orderedAt.slice(0, 10), row }];
}

function dealStageRow(record: ChangeRecord, deal: Record<string, unknown>, old: Record<string, unknown> | undefined): LakeRowOf[] {
  if (typeof deal.stage !== 'string' || typeof deal.pipelineId !== 'string' || deal.deletedAt) return [];
  const created = record.eventName === 'INSERT' || !old;
  // The same test as the deal.stage-changed event (deal-events.ts): a new stage or a new entry time.
  if (!created && old.stage === deal.stage && old.stageEnteredAt === deal.stageEnteredAt && old.pipelineId === deal.pipelineId) return [];
  const changedAt = utc(deal.stageEnteredAt ?? (created ? deal.createdAt : deal.updatedAt), record);
  const from = created ? null : text(old.stage);
  const leftAt = created ? Number.NaN : Date.parse(String(old.stageEnteredAt));
  const row: LakeRow = {
    tenant_id: deal.tenantId as string,
    deal_id: deal.id as string,
    pipeline_id: deal.pipelineId,
    from_stage: from,
    to_stage: deal.stage,
    outcome: deal.outcome === 'won' || deal.outcome === 'lost' ? deal.outcome : null,
    changed_at: changedAt,
    duration_ms: created || Number.isNaN(leftAt) ? null : Math.max(0, Date.parse(changedAt) - leftAt),
    amount: typeof deal.amount === 'number' ? deal.amount : null,
    currency: text(deal.currency),
    owner_id: text(deal.ownerId),
  };
  return [{ table: 'deal_stage_changes', tenantId: deal.tenantId as string, dt: changedAt.slice(0, 10), row }];
}

/** The value as canonical UTC ISO 8601 (offsets resolved), else the record's approximate creation time. */
function utc(value: unknown, record: ChangeRecord): string {
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return new Date(record.approximateCreationTime).toISOString();
}

/** A plain string; a sealed (encrypted) value becomes null rather than ciphertext in the lake. */
function text(value: unknown): string | null {
  return typeof value === 'string' && !isFieldCiphertext(value) ? value : null;
}

function integer(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** Plain string values only: a sealed (encrypted) tag never reaches the lake. */
function plainStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && !isFieldCiphertext(v)) : [];
}

/** Rows of one partition, ready for one `LakeWriter.append`. */
export interface LakePartitionRows {
  table: LakeTable;
  tenantId: string;
  dt: string;
  rows: LakeRow[];
}

/** Groups rows by (table, tenant, dt), keeping their order; one file per group and batch. */
export function groupLakeRows(rows: readonly LakeRowOf[]): LakePartitionRows[] {
  const groups = new Map<string, LakePartitionRows>();
  for (const { table, tenantId, dt, row } of rows) {
    const key = `${table}/${tenantId}/${dt}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { table, tenantId, dt, rows: [] }));
    group.rows.push(row);
  }
  return [...groups.values()];
}
