import type { ItemKey } from '../ports/table-store.port';

/**
 * Keys of the hot/cold archive's ledger (docs/data-model.md "Hot/cold archive"). One ledger item
 * per timeline item the TTL process removed and the archiver received, in the tenant's ledger
 * partition: the reconciliation's `expired` side, written before the archive file, so an archive
 * that fails shows up as missing rather than hiding with it.
 */
export const archiveKeys = {
  ledgerPartition: (tenantId: string) => `T#${tenantId}#ARCHIVE#EXPIRED`,
  /** `<customerId>#<timeline sort key>`: the same item expired twice is one entry. */
  expired: (tenantId: string, customerId: string, timelineSk: string): ItemKey => ({
    pk: `T#${tenantId}#ARCHIVE#EXPIRED`,
    sk: `${customerId}#${timelineSk}`,
  }),
  /**
   * A customer archived into a stub whose timeline has not been given its TTL yet: written in the
   * stub's transaction, deleted once the timeline step is done (or by rehydration), so a run that
   * stopped in between is finished by the next one (`archiveInactiveCustomers`).
   */
  pendingCustomerPartition: (tenantId: string) => `T#${tenantId}#ARCHIVE#CUSTOMERS`,
  pendingCustomer: (tenantId: string, customerId: string): ItemKey => ({ pk: `T#${tenantId}#ARCHIVE#CUSTOMERS`, sk: customerId }),
};

/** Entity of the pending-timeline markers of archived customers. */
export const CUSTOMER_ARCHIVE_PENDING_ENTITY = 'customer-archive-pending';

/** Entities whose TTL removal is archived (the archiver's manifest filter lists the same). */
export const ARCHIVED_ENTITIES = ['interaction', 'timeline-entry'] as const;

/** Entity of the ledger items. */
export const ARCHIVE_LEDGER_ENTITY = 'archive-expired';
