import { toCustomer, toProfileItem } from '../customers/customer.repository';
import type { Customer } from '../customers/customer.schema';
import type { ArchiveStore } from '../ports/archive-store.port';
import type { Item, TableStore } from '../ports/table-store.port';
import { customerKeys } from '../customers/customer.keys';

/**
 * Customer stubs (ADR 0034, "Customer stubs"). An inactive customer's full profile item goes to the
 * archive (`ArchiveStore.putProfile`, as stored: sealed fields stay sealed) and the live item is
 * replaced by a stub holding what lists, access checks and the change feed need: id, kind, name,
 * owner (and claim), org unit, company, tags, RFM figures, the record's times and authors, plus
 * `archived: true` and `archivedAt`. Phones, emails, address, custom fields and enrichment are
 * dropped; the derived items (tags, phone/email lookups, duplicate keys, field indexes) stay, so
 * lists still show the stub and dedupe and identity resolution still recognise the customer.
 */
export function stubOf(tenantId: string, stored: Item, now: string, actor: string): Item {
  const c = toCustomer(stored);
  const stub: Customer = {
    id: c.id, kind: c.kind, name: c.name, phones: [], emails: [], tags: c.tags, ownerId: c.ownerId,
    ...(c.companyId ? { companyId: c.companyId } : {}),
    orgPath: c.orgPath, customFields: {},
    ...(c.claimedAt ? { claimedAt: c.claimedAt } : {}),
    // Kept: the RFM job and its segment index items stay consistent with the stub.
    ...(c.rfm ? { rfm: c.rfm } : {}),
    version: c.version + 1, createdAt: c.createdAt, createdBy: c.createdBy, updatedAt: now, updatedBy: actor,
    archived: true, archivedAt: now,
  };
  return toProfileItem(tenantId, stub);
}

/**
 * The profile item rehydration writes: the archived full profile with what may have changed on the
 * stub meanwhile (owner and claim — the claim-protection consumer may return a stub to the pool —
 * and the RFM figures) taken from the stub, index attributes recomputed, the next version, and
 * `updatedAt` = now (a rehydrated customer counts as active, or the next run would archive it again).
 */
export function rehydratedProfileOf(tenantId: string, archived: Item, stub: Item, now: string, actor: string): Item {
  const { archived: _flag, archivedAt: _at, claimedAt: _claimed, rfm: _rfm, ...full } = toCustomer(archived);
  const current = toCustomer(stub);
  const record: Customer = {
    ...full,
    ownerId: current.ownerId,
    ...(current.claimedAt ? { claimedAt: current.claimedAt } : {}),
    ...(current.rfm ? { rfm: current.rfm } : {}),
    version: current.version + 1, updatedAt: now, updatedBy: actor,
  };
  return { ...toProfileItem(tenantId, record), rehydratedAt: now };
}

/**
 * Removes an archived profile that no stub needs any more: the live profile is not a stub and is a
 * later version than the file (a rehydration that stopped before deleting it, or an archiving whose
 * stub swap lost to a concurrent edit). A file of the live version is left alone: an archiving run
 * may be between writing it and swapping in the stub.
 */
export async function discardStaleArchivedProfile(deps: { store: TableStore; archive: ArchiveStore }, tenantId: string, customerId: string): Promise<boolean> {
  const [file, live] = await Promise.all([
    deps.archive.getProfile(tenantId, customerId),
    deps.store.get(customerKeys.profile(tenantId, customerId), { consistent: true }),
  ]);
  if (!file || !live || live.archivedAt || !(Number(live.version) > Number(file.version))) return false;
  await deps.archive.removeProfile(tenantId, customerId);
  return true;
}
