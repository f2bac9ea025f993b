import { AppError, notFound } from '../errors';
import { TransactionConflictError, type TableStore, type TransactOperation } from '../ports/table-store.port';
import { etagOf, loadCustomer } from './customer.repository';
import { assertTransactionSize, rethrowUniqueViolation } from './derived-items';
import type { Customer } from './customer.schema';

/**
 * Writes a new version of a customer: the first operation must be the profile put; it is made
 * conditional on the version that was read, so a concurrent writer turns into 412 (or 404 when
 * the record vanished), never into a lost update.
 */
export async function writeVersioned(
  store: TableStore,
  tenantId: string,
  read: Customer,
  operations: [TransactOperation & { type: 'put' }, ...TransactOperation[]],
): Promise<void> {
  operations[0].condition = { kind: 'equals', attribute: 'version', value: read.version };
  assertTransactionSize(operations);
  try {
    await store.transact(operations);
  } catch (error) {
    if (error instanceof TransactionConflictError && error.failedIndexes.includes(0)) {
      const now = await loadCustomer(store, tenantId, read.id);
      if (!now) throw notFound(`Customer ${read.id}`);
      throw new AppError('precondition_failed', 'The customer was changed concurrently; re-read it and retry', {
        currentEtag: etagOf(now.version),
      });
    }
    rethrowUniqueViolation(error, operations);
  }
}
