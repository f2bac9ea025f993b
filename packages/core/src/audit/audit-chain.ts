import { createHash } from 'node:crypto';
import type { BlobStore } from '../ports/blob-store.port';
import { TransactionConflictError, type Item, type TableStore, type TransactOperation } from '../ports/table-store.port';
import { canonicalJson } from '../shared/canonical-json';
import { toAuditEntry } from './audit-entry';
import { auditKeys, dayOf } from './audit.keys';
import type { AuditEntry, AuditVerification } from './audit.schema';

/**
 * Tamper evidence for the audit log: every tenant's records form one hash chain,
 * `hash(n) = SHA-256(hash(n-1) + canonicalJson(record n))`, starting from GENESIS_HASH.
 *
 * Items (one item collection `T#<t>#AUDITCHAIN`, so verification is one paged Query):
 * - head `HEAD` { seq, hash }: the chain's tip; appends are conditional on the seq they read, so
 *   concurrent chainers (several stream shards or Lambda invocations) serialise without forking;
 * - link `LINK#<seq 15 digits>` { seq, prevHash, hash, recordId, recordKey }.
 * A marker `T#<t>#AUDITLINKED#<recordId>` is written in the same transaction, so a redelivered
 * stream record (at-least-once) is recognised and not chained twice.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** Head + 2 items per record must fit one 100-item transaction. */
const RECORDS_PER_TRANSACTION = 49;
const DEFAULT_MAX_CONFLICTS = 25;

export interface AuditLink {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Hash of a record appended after `prevHash`. */
export function auditChainHash(prevHash: string, entry: AuditEntry): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(entry)).digest('hex');
}

/** Raised when a tenant's head kept moving under us for `attempts` tries in a row. */
export class AuditChainContentionError extends Error {
  override readonly name = 'AuditChainContentionError';
  constructor(readonly tenantId: string, readonly attempts: number) {
    super(`Audit chain of tenant ${tenantId}: head changed concurrently ${attempts} times in a row`);
  }
}

/**
 * Appends the records of ONE tenant to its chain, in the given order, skipping records that are
 * already linked. Returns the link of every given record (new or earlier). Safe to run
 * concurrently with other chainers of the same tenant.
 */
export async function appendToAuditChain(
  store: TableStore,
  tenantId: string,
  entries: readonly AuditEntry[],
  options: { maxConflicts?: number; pause?: (attempt: number) => Promise<void> } = {},
): Promise<Map<string, AuditLink>> {
  const maxConflicts = options.maxConflicts ?? DEFAULT_MAX_CONFLICTS;
  const pause = options.pause ?? jitter;
  const links = new Map<string, AuditLink>();
  const unique = [...new Map(entries.map((e) => [e.id, e])).values()];
  if (unique.some((e) => e.tenantId !== tenantId)) throw new Error('appendToAuditChain: records of another tenant');
  let conflicts = 0;

  for (;;) {
    const pending = unique.filter((e) => !links.has(e.id));
    if (pending.length === 0) return links;
    const markers = await store.batchGet(pending.map((e) => auditKeys.linked(tenantId, e.id)));
    for (const m of markers) links.set(m.recordId as string, { seq: m.seq as number, prevHash: m.prevHash as string, hash: m.hash as string });
    const fresh = pending.filter((e) => !links.has(e.id)).slice(0, RECORDS_PER_TRANSACTION);
    if (fresh.length === 0) return links;

    const head = await store.get(auditKeys.chainHead(tenantId), { consistent: true });
    let seq = head ? (head.seq as number) : 0;
    let prevHash = head ? (head.hash as string) : GENESIS_HASH;
    const appended = new Map<string, AuditLink>();
    const operations: TransactOperation[] = [];
    for (const entry of fresh) {
      seq += 1;
      const link: AuditLink = { seq, prevHash, hash: auditChainHash(prevHash, entry) };
      appended.set(entry.id, link);
      operations.push(
        { type: 'put', item: linkItem(tenantId, entry, link), condition: { kind: 'notExists' } },
        { type: 'put', item: markerItem(tenantId, entry.id, link), condition: { kind: 'notExists' } },
      );
      prevHash = link.hash;
    }
    operations.push({
      type: 'put',
      item: { ...auditKeys.chainHead(tenantId), entity: 'audit-chain-head', tenantId, seq, hash: prevHash },
      condition: head ? { kind: 'equals', attribute: 'seq', value: head.seq as number } : { kind: 'notExists' },
    });

    try {
      await store.transact(operations);
      for (const [id, link] of appended) links.set(id, link);
      conflicts = 0;
    } catch (error) {
      if (!(error instanceof TransactionConflictError)) throw error;
      // Another chainer moved the head (or linked one of these records): re-read and try again.
      conflicts += 1;
      if (conflicts >= maxConflicts) throw new AuditChainContentionError(tenantId, conflicts);
      await pause(conflicts);
    }
  }
}

function linkItem(tenantId: string, entry: AuditEntry, link: AuditLink): Item {
  return {
    ...auditKeys.chainLink(tenantId, link.seq),
    entity: 'audit-link',
    tenantId,
    ...link,
    recordId: entry.id,
    recordKey: auditKeys.record(tenantId, entry.at, entry.id),
  };
}

function markerItem(tenantId: string, recordId: string, link: AuditLink): Item {
  return { ...auditKeys.linked(tenantId, recordId), entity: 'audit-linked', tenantId, recordId, ...link };
}

function jitter(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Key of a chained record in the audit archive (S3 Object Lock in AWS, a folder locally). */
export function auditArchiveKey(entry: AuditEntry, seq: number): string {
  return `audit/tenant=${entry.tenantId}/date=${dayOf(entry.at)}/${String(seq).padStart(15, '0')}-${entry.id}.json`;
}

/** The archived object: the record with its link, so a copy can be verified without the table. */
export function auditArchiveBody(entry: AuditEntry, link: AuditLink): string {
  return JSON.stringify({ seq: link.seq, prevHash: link.prevHash, hash: link.hash, record: entry });
}

/** A record from the change feed; `ref` is what the caller reports back when it fails. */
export interface AuditFeedRecord {
  ref: string;
  entry: AuditEntry;
}

/**
 * Use case of the `chain-audit` stream consumer: links new audit records into their tenants'
 * chains (in feed order per tenant) and archives each chained record to the blob store. Archiving
 * is repeated for already-linked records on redelivery, so a crash between the chain commit and the
 * archive write never loses an archive copy (a repeated put adds an identical version).
 * Returns the refs of records that failed; the stream resumes at the first of them.
 */
export async function chainAndArchiveAuditRecords(
  deps: { store: TableStore; blobs: BlobStore },
  records: readonly AuditFeedRecord[],
  options: { maxConflicts?: number; onError?: (error: unknown, tenantId: string) => void } = {},
): Promise<{ failedRefs: string[] }> {
  const byTenant = new Map<string, AuditFeedRecord[]>();
  for (const r of records) {
    const list = byTenant.get(r.entry.tenantId) ?? [];
    list.push(r);
    byTenant.set(r.entry.tenantId, list);
  }
  const failedRefs: string[] = [];
  await Promise.all(
    [...byTenant].map(async ([tenantId, list]) => {
      try {
        const links = await appendToAuditChain(deps.store, tenantId, list.map((r) => r.entry), options);
        for (const r of list) {
          const link = links.get(r.entry.id)!;
          try {
            await deps.blobs.put(auditArchiveKey(r.entry, link.seq), auditArchiveBody(r.entry, link), 'application/json');
          } catch (error) {
            options.onError?.(error, tenantId);
            failedRefs.push(r.ref);
          }
        }
      } catch (error) {
        options.onError?.(error, tenantId);
        failedRefs.push(...list.map((r) => r.ref));
      }
    }),
  );
  return { failedRefs };
}

/**
 * Walks a tenant's chain from `fromSeq` (default 1) in seq order, re-reads every record and
 * recomputes every hash. Detects a modified record, a modified/deleted/reordered link, a deleted
 * record and a truncated tail (head ahead of the last link). Checks at most `limit` links per call;
 * `nextSeq` says where to continue.
 */
export async function verifyAuditChain(
  store: TableStore,
  tenantId: string,
  options: { fromSeq?: number; limit?: number } = {},
): Promise<AuditVerification> {
  const fromSeq = options.fromSeq ?? 1;
  const limit = options.limit ?? 5000;
  const head = await store.get(auditKeys.chainHead(tenantId), { consistent: true });
  const headSeq = head ? (head.seq as number) : 0;
  let checked = 0;
  const broken = (seq: number, reason: string): AuditVerification => ({ ok: false, checked, firstBrokenSeq: seq, reason, nextSeq: null });

  let prevHash = GENESIS_HASH;
  if (fromSeq > 1) {
    const previous = await store.get(auditKeys.chainLink(tenantId, fromSeq - 1), { consistent: true });
    if (!previous) return broken(fromSeq - 1, 'link missing');
    prevHash = previous.hash as string;
  }
  let expected = fromSeq;
  let startAfter: Record<string, string> | undefined;
  const upper = auditKeys.chainLink(tenantId, 10 ** 15 - 1).sk;
  for (;;) {
    const page = await store.query({
      partition: auditKeys.chainPartition(tenantId),
      sortKey: { between: [auditKeys.chainLink(tenantId, fromSeq).sk, upper] },
      limit: Math.min(100, limit - checked),
      consistent: true,
      ...(startAfter ? { startAfter } : {}),
    });
    const records = await store.batchGet(page.items.map((l) => l.recordKey as { pk: string; sk: string }));
    const recordById = new Map(records.map((r) => [r.id as string, r]));
    for (const link of page.items) {
      if (link.seq !== expected || link.sk !== auditKeys.chainLink(tenantId, expected).sk) return broken(expected, 'link missing or out of place');
      if (link.prevHash !== prevHash) return broken(expected, 'link does not follow its predecessor');
      const record = recordById.get(link.recordId as string);
      if (!record) return broken(expected, 'record missing');
      if (auditChainHash(prevHash, toAuditEntry(record)) !== link.hash) return broken(expected, 'record or link modified');
      prevHash = link.hash as string;
      expected += 1;
      checked += 1;
    }
    if (checked >= limit) {
      if (expected <= headSeq) return { ok: true, checked, nextSeq: expected };
      break;
    }
    if (!page.lastKey) break;
    startAfter = page.lastKey;
  }
  // The walk reached the last link: it must be the head (a deleted tail would leave the head ahead).
  if (expected - 1 !== headSeq) return broken(expected <= headSeq ? expected : headSeq + 1, 'chain does not end at its head');
  if (headSeq > 0 && head!.hash !== prevHash) return broken(headSeq, 'head does not match the last link');
  return { ok: true, checked, nextSeq: null };
}
