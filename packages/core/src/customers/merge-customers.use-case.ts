import { AppError, notFound } from '../errors';
import { assertWritable, type SecuredContext } from '../access/access-policy';
import { TransactionConflictError, type Item, type TableStore, type TransactOperation } from '../ports/table-store.port';
import {
  actorOf, customerAuditOperation, loadCustomer, loadCustomerWriteConfig, openCustomer, presentCustomer, requireVisibleCustomer, sealCustomer, toProfileItem, type CustomerDeps,
} from './customer.repository';
import { customerKeys } from './customer.keys';
import { derivedConfigOf, derivedItemOperations } from './derived-items';
import { mergeKeys } from './merge.keys';
import { TIMELINE_PREFIX } from '../interactions/interaction.keys';
import { moveCustomerReferences, moveCustomerReferencesBack } from './customer-references';
import { MERGEABLE_FIELDS, type MergeCustomersInput, type MergeRecord } from './merge.schema';
import { MAX_TAGS, type Customer } from './customer.schema';
import { assertNotArchived } from './archived-customer';

/** Index operations per stored chunk (one transaction each when the merge is applied or undone). */
const OPS_PER_CHUNK = 25;

/**
 * Merges customers into a survivor, reversibly. One transaction writes the new survivor, marks the
 * others `mergedInto` (out of every list; reads of their ids answer with the survivor), stores the
 * merge record and audits it; the before-images and the index-item operations to apply and to undo
 * are stored with the merge first. Then the index items are moved and a merged company's contacts
 * re-pointed, their timelines moved to the survivor (`completeMerge`, also run by the change feed should this process stop half-way).
 */
export async function mergeCustomers(deps: CustomerDeps, ctx: SecuredContext, input: MergeCustomersInput): Promise<{ mergeId: string; survivor: Customer }> {
  const { tenantId } = ctx.principal;
  const ids = [input.survivorId, ...input.mergeIds];
  if (input.mergeIds.includes(input.survivorId)) invalid('body.mergeIds', 'must not contain the survivor');
  for (const [path, id] of Object.entries(input.fields)) if (!ids.includes(id)) invalid(`body.fields.${path}`, 'must be the survivor or one of mergeIds');
  const stored = await Promise.all(ids.map((id) => requireVisibleCustomer(deps.store, ctx, id)));
  stored.forEach(assertNotArchived);
  const [survivor, ...merged] = stored as [Customer, ...Customer[]];
  if (merged.some((m) => m.kind !== survivor.kind)) invalid('body.mergeIds', `must all be ${survivor.kind} records like the survivor`);

  const config = await loadCustomerWriteConfig(deps.store, tenantId);
  const plain = await Promise.all(stored.map((c) => openCustomer(deps, tenantId, c, config.security)));
  const combined = combineRecords(plain, input);
  if (combined.tags.length > MAX_TAGS || combined.phones.length > 20 || combined.emails.length > 20) {
    invalid('body.fields', `the united phones/emails/tags exceed their limits (20/20/${MAX_TAGS}); choose one record's list in fields`);
  }
  assertWritable(ctx.access, 'customers', changedFields(plain[0]!, combined));

  const now = deps.clock.now().toISOString();
  const actor = actorOf(ctx.principal);
  const mergeId = deps.ids.next();
  const survivorAfter: Customer = { ...combined, version: survivor.version + 1, updatedAt: now, updatedBy: actor };
  const mergedAfter = merged.map((m): Customer => ({ ...m, mergedInto: survivor.id, mergedAt: now, version: m.version + 1, updatedAt: now, updatedBy: actor }));
  const plainMerged = plain.slice(1);

  const derived = derivedConfigOf(config);
  const applyOps = ordered([
    ...plainMerged.flatMap((p) => derivedItemOperations(tenantId, p, { ...p, mergedInto: survivor.id }, derived)),
    ...derivedItemOperations(tenantId, plain[0], survivorAfter, derived),
  ]);
  const undoOps = ordered([
    ...derivedItemOperations(tenantId, survivorAfter, plain[0]!, derived),
    ...plainMerged.flatMap((p) => derivedItemOperations(tenantId, { ...p, mergedInto: survivor.id }, p, derived)),
  ]);
  const applyChunks = chunk(applyOps);
  const undoChunks = chunk(undoOps);
  // Inert until the merge record exists (written below); a failed merge leaves them unreferenced.
  await putAll(deps.store, [
    ...stored.map((c) => ({ ...mergeKeys.before(tenantId, mergeId, c.id), entity: 'customer-merge-before', tenantId, record: c })),
    ...applyChunks.map((operations, n) => ({ ...mergeKeys.ops(tenantId, mergeId, 'apply', n), entity: 'customer-merge-ops', tenantId, operations })),
    ...undoChunks.map((operations, n) => ({ ...mergeKeys.ops(tenantId, mergeId, 'undo', n), entity: 'customer-merge-ops', tenantId, operations })),
  ]);

  const record: MergeRecord & Item = {
    ...mergeKeys.record(tenantId, mergeId), entity: 'customer-merge', tenantId,
    mergeId, status: 'merging', survivorId: survivor.id, mergedIds: input.mergeIds, rule: input.rule, fields: input.fields, movedContacts: 0,
    survivorVersion: survivorAfter.version, mergedVersions: mergedAfter.map((m) => m.version),
    createdAt: now, createdBy: actor,
  };
  const operations: TransactOperation[] = [
    { type: 'put', item: toProfileItem(tenantId, await sealCustomer(deps, tenantId, survivorAfter, config.security)), condition: { kind: 'equals', attribute: 'version', value: survivor.version } },
    ...mergedAfter.map((m, i): TransactOperation => ({ type: 'put', item: toProfileItem(tenantId, m), condition: { kind: 'equals', attribute: 'version', value: merged[i]!.version } })),
    { type: 'put', item: record, condition: { kind: 'notExists' } },
    customerAuditOperation(deps, ctx, 'customers:merge', plain[0], survivorAfter, { sensitive: config.security.sensitiveFields, detail: { mergeId, mergedIds: input.mergeIds, rule: input.rule } }),
    ...mergedAfter.map((m) => customerAuditOperation(deps, ctx, 'customers:merge', merged.find((x) => x.id === m.id), m, { sensitive: config.security.sensitiveFields, detail: { mergeId, mergedInto: survivor.id } })),
  ];
  try {
    await deps.store.transact(operations);
  } catch (error) {
    if (error instanceof TransactionConflictError) throw new AppError('precondition_failed', 'A customer of this merge was changed concurrently; re-read and retry');
    throw error;
  }
  await completeMerge(deps.store, tenantId, mergeId);
  return { mergeId, survivor: await presentCustomer(deps, ctx, survivorAfter, config) };
}

/**
 * Finishes a merge or its undo: applies the stored index operations chunk by chunk (idempotent
 * puts and deletes), moves contacts, and marks the record done. Safe to run again at any point.
 */
export async function completeMerge(store: TableStore, tenantId: string, mergeId: string): Promise<void> {
  const record = await store.get(mergeKeys.record(tenantId, mergeId), { consistent: true });
  if (!record || (record.status !== 'merging' && record.status !== 'undoing')) return;
  const undo = record.status === 'undoing';
  await applyStoredOperations(store, tenantId, mergeId, undo ? 'undo' : 'apply');
  const moved = undo ? await moveContactsBack(store, tenantId, record) : await moveContacts(store, tenantId, record);
  if (undo) await moveTimelineBack(store, tenantId, record);
  else await moveTimeline(store, tenantId, record);
  // Notes, tasks, deals and orders of the merged customers follow the timeline (and come back on undo).
  const refs = [store, tenantId, mergeId, record.mergedIds as string[], record.survivorId as string, new Date()] as const;
  if (undo) await moveCustomerReferencesBack(...refs);
  else await moveCustomerReferences(...refs);
  try {
    await store.put(
      { ...record, status: undo ? 'undone' : 'merged', ...(undo ? {} : { movedContacts: moved }) },
      { condition: { kind: 'equals', attribute: 'status', value: record.status as string } },
    );
  } catch {
    // Another run finished it first.
  }
}

async function applyStoredOperations(store: TableStore, tenantId: string, mergeId: string, phase: 'apply' | 'undo'): Promise<void> {
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await store.query({ partition: mergeKeys.partition(tenantId, mergeId), sortKey: { beginsWith: `OPS#${phase}#` }, limit: 100, consistent: true, ...(startAfter ? { startAfter } : {}) });
    for (const item of page.items) await store.transact(item.operations as TransactOperation[]);
    startAfter = page.lastKey;
  } while (startAfter);
}

/**
 * Persons of merged companies now belong to the survivor (each move remembered for the undo). One
 * pass over each company's contact index; a re-run finds only the contacts not yet moved.
 */
async function moveContacts(store: TableStore, tenantId: string, record: Item): Promise<number> {
  for (const companyId of record.mergedIds as string[]) {
    let startAfter: Record<string, string> | undefined;
    do {
      const page = await store.query({ index: 'gsi4', partition: customerKeys.byCompany(tenantId, companyId), limit: 100, ...(startAfter ? { startAfter } : {}) });
      for (const item of page.items) {
        const contact = await loadCustomer(store, tenantId, item.id as string);
        if (!contact || contact.companyId !== companyId) continue;
        await store.transact([
          { type: 'put', item: toProfileItem(tenantId, { ...contact, companyId: record.survivorId as string, version: contact.version + 1 }), condition: { kind: 'equals', attribute: 'version', value: contact.version } },
          { type: 'put', item: { ...mergeKeys.moved(tenantId, record.mergeId as string, contact.id), entity: 'customer-merge-moved', tenantId, customerId: contact.id, fromCompanyId: companyId } },
        ]).catch((error: unknown) => { if (!(error instanceof TransactionConflictError)) throw error; });
      }
      startAfter = page.lastKey;
    } while (startAfter);
  }
  return countMoved(store, tenantId, record.mergeId as string);
}

/**
 * The merged customers' timeline items move into the survivor's item collection, so its timeline
 * stays one Query. Each move (copy, delete, marker) is one transaction; a re-run finds only what is
 * left. Copies carry `movedByMerge` so the change feed does not announce them as new interactions.
 */
async function moveTimeline(store: TableStore, tenantId: string, record: Item): Promise<void> {
  const survivorId = record.survivorId as string;
  for (const fromId of record.mergedIds as string[]) {
    for (;;) {
      const page = await store.query({ partition: customerKeys.partition(tenantId, fromId), sortKey: { beginsWith: TIMELINE_PREFIX }, limit: 100, consistent: true });
      for (const item of page.items) {
        await store.transact([
          { type: 'put', item: { ...item, pk: customerKeys.partition(tenantId, survivorId), customerId: survivorId, movedByMerge: record.mergeId } },
          { type: 'delete', key: { pk: item.pk, sk: item.sk } },
          { type: 'put', item: { ...mergeKeys.movedInteraction(tenantId, record.mergeId as string, item.sk), entity: 'customer-merge-moved-interaction', tenantId, fromCustomerId: fromId, timelineSk: item.sk } },
        ]);
      }
      if (!page.lastKey) break;
    }
  }
}

/** Interactions the merge moved go back to the customer they came from (unless deleted since). */
async function moveTimelineBack(store: TableStore, tenantId: string, record: Item): Promise<void> {
  const survivorId = record.survivorId as string;
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await store.query({ partition: mergeKeys.partition(tenantId, record.mergeId as string), sortKey: { beginsWith: 'MOVEDIX#' }, limit: 100, consistent: true, ...(startAfter ? { startAfter } : {}) });
    for (const m of page.items) {
      const copy = await store.get({ pk: customerKeys.partition(tenantId, survivorId), sk: m.timelineSk as string }, { consistent: true });
      if (!copy) continue;
      const { movedByMerge: _moved, ...original } = copy;
      await store.transact([
        { type: 'put', item: { ...original, pk: customerKeys.partition(tenantId, m.fromCustomerId as string), customerId: m.fromCustomerId } },
        { type: 'delete', key: { pk: copy.pk, sk: copy.sk } },
      ]);
    }
    startAfter = page.lastKey;
  } while (startAfter);
}

async function countMoved(store: TableStore, tenantId: string, mergeId: string): Promise<number> {
  let count = 0;
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await store.query({ partition: mergeKeys.partition(tenantId, mergeId), sortKey: { beginsWith: 'MOVED#' }, limit: 1000, consistent: true, ...(startAfter ? { startAfter } : {}) });
    count += page.items.length;
    startAfter = page.lastKey;
  } while (startAfter);
  return count;
}

/** Contacts moved by the merge go back to their company unless someone has re-pointed them since. */
async function moveContactsBack(store: TableStore, tenantId: string, record: Item): Promise<number> {
  let startAfter: Record<string, string> | undefined;
  let count = 0;
  do {
    const page = await store.query({ partition: mergeKeys.partition(tenantId, record.mergeId as string), sortKey: { beginsWith: 'MOVED#' }, limit: 100, consistent: true, ...(startAfter ? { startAfter } : {}) });
    for (const m of page.items) {
      const contact = await loadCustomer(store, tenantId, m.customerId as string);
      if (!contact || contact.companyId !== record.survivorId) continue;
      await store.put(toProfileItem(tenantId, { ...contact, companyId: m.fromCompanyId as string, version: contact.version + 1 }), { condition: { kind: 'equals', attribute: 'version', value: contact.version } })
        .then(() => { count += 1; }, () => undefined);
    }
    startAfter = page.lastKey;
  } while (startAfter);
  return count;
}

/** Reads a merge the caller may see (its survivor must be in the caller's data domain). */
export async function getMerge(deps: Pick<CustomerDeps, 'store'>, ctx: SecuredContext, mergeId: string): Promise<MergeRecord> {
  const item = await deps.store.get(mergeKeys.record(ctx.principal.tenantId, mergeId), { consistent: true });
  if (!item) throw notFound(`Merge ${mergeId}`);
  await requireVisibleCustomer(deps.store, ctx, item.survivorId as string, { includeDeleted: true }).catch(() => { throw notFound(`Merge ${mergeId}`); });
  return toMergeRecord(item);
}

export function toMergeRecord(item: Item): MergeRecord {
  const { mergeId, status, survivorId, mergedIds, rule, fields, movedContacts, createdAt, createdBy, undoneAt, undoneBy } = item as unknown as MergeRecord;
  return { mergeId, status, survivorId, mergedIds, rule, fields, movedContacts, createdAt, createdBy, ...(undoneAt ? { undoneAt } : {}), ...(undoneBy ? { undoneBy } : {}) };
}

/**
 * The survivor's new values: chosen per field by `fields`, else by the rule; phones, emails and
 * tags are united (survivor first, duplicates removed) unless a record's list is chosen.
 */
export function combineRecords(records: Customer[], input: Pick<MergeCustomersInput, 'rule' | 'fields'>): Customer {
  const [survivor] = records as [Customer, ...Customer[]];
  const byId = new Map(records.map((r) => [r.id, r]));
  const filled = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v === '') && !(Array.isArray(v) && v.length === 0);
  const source = (): Customer[] => {
    if (input.rule === 'most-recent') return [...records].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    if (input.rule === 'most-complete') return [...records].sort((a, b) => completeness(b) - completeness(a));
    return records;
  };
  const pick = (get: (c: Customer) => unknown, path: string): unknown => {
    const chosen = input.fields[path];
    if (chosen) return get(byId.get(chosen)!);
    for (const r of source()) if (filled(get(r))) return get(r);
    return undefined;
  };
  const unite = <T>(get: (c: Customer) => T[], key: (t: T) => string, path: string): T[] => {
    const chosen = input.fields[path];
    if (chosen) return get(byId.get(chosen)!);
    const seen = new Set<string>();
    return records.flatMap(get).filter((t) => (seen.has(key(t)) ? false : (seen.add(key(t)), true)));
  };

  const out: Customer = { ...survivor };
  out.name = pick((c) => c.name, 'name') as string;
  out.phones = unite((c) => c.phones, (p) => p.e164 ?? p.raw, 'phones');
  out.emails = unite((c) => c.emails, (e) => e.address.toLowerCase(), 'emails');
  out.tags = unite((c) => c.tags, (t) => t, 'tags');
  const address = pick((c) => c.address, 'address');
  if (address) out.address = address as Customer['address']; else delete out.address;
  out.ownerId = (pick((c) => c.ownerId, 'ownerId') ?? null) as string | null;
  out.orgPath = (pick((c) => c.orgPath, 'orgPath') ?? survivor.orgPath) as string;
  const companyId = pick((c) => c.companyId, 'companyId');
  if (companyId && !records.some((r) => r.id === companyId)) out.companyId = companyId as string; else delete out.companyId;
  if (out.ownerId !== survivor.ownerId) delete out.claimedAt;
  const enrichment = pick((c) => c.enrichment, 'enrichment');
  if (enrichment) out.enrichment = enrichment as Customer['enrichment'];
  const keys = new Set(records.flatMap((r) => Object.keys(r.customFields ?? {})));
  out.customFields = {};
  for (const key of keys) {
    const value = pick((c) => c.customFields?.[key], `customFields.${key}`);
    if (value !== undefined) out.customFields[key] = value as Customer['customFields'][string];
  }
  return out;
}

function completeness(c: Customer): number {
  return [c.phones.length, c.emails.length, c.address ? 1 : 0, c.tags.length, c.companyId ? 1 : 0, Object.keys(c.customFields ?? {}).length].filter((n) => n > 0).length;
}

/** The record fields a merge changes on the survivor (checked against the caller's field rights). */
function changedFields(before: Customer, after: Customer): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const f of MERGEABLE_FIELDS) if (JSON.stringify(before[f]) !== JSON.stringify(after[f])) changed[f] = after[f];
  const custom: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after.customFields)) if (JSON.stringify(before.customFields?.[k]) !== JSON.stringify(v)) custom[k] = v;
  if (Object.keys(custom).length > 0) changed.customFields = custom;
  return changed;
}

/** Deletes before puts (a unique value can pass from a merged record to the survivor); no conditions. */
function ordered(ops: TransactOperation[]): TransactOperation[] {
  const plainOps = ops.map((op): TransactOperation => (op.type === 'put' ? { type: 'put', item: op.item } : op.type === 'delete' ? { type: 'delete', key: op.key } : op));
  return [...plainOps.filter((o) => o.type === 'delete'), ...plainOps.filter((o) => o.type !== 'delete')];
}

/** Chunks that never mix deletes and puts (so the same key is never touched twice in one transaction). */
function chunk(ops: TransactOperation[]): TransactOperation[][] {
  const chunks: TransactOperation[][] = [];
  for (const group of [ops.filter((o) => o.type === 'delete'), ops.filter((o) => o.type !== 'delete')]) {
    for (let i = 0; i < group.length; i += OPS_PER_CHUNK) chunks.push(group.slice(i, i + OPS_PER_CHUNK));
  }
  return chunks;
}

async function putAll(store: TableStore, items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) await store.transact(items.slice(i, i + 25).map((item) => ({ type: 'put', item })));
}

function invalid(path: string, message: string): never {
  throw new AppError('validation_failed', `Cannot merge: ${path} ${message}`, { errors: [{ path, message }] });
}

