import { AppError, notFound } from '../errors';
import { TransactionConflictError, type TableStore, type TransactOperation } from '../ports/table-store.port';
import { etagOf } from './etag';

/**
 * Runs a versioned write whose first operation is conditional on the version read. When that
 * condition fails, `reload` re-reads the record: gone → 404 (`<what> <id>`), else 412 with its
 * current ETag. Other failures are rethrown as they are.
 */
export async function transactVersioned(
  store: TableStore,
  operations: TransactOperation[],
  what: string,
  id: string,
  reload: () => Promise<{ version: number } | undefined>,
): Promise<void> {
  try {
    await store.transact(operations);
  } catch (error) {
    if (error instanceof TransactionConflictError && error.failedIndexes.includes(0)) {
      const now = await reload();
      if (!now) throw notFound(`${what} ${id}`);
      throw new AppError('precondition_failed', `The ${what.toLowerCase()} was changed concurrently; re-read it and retry`, { currentEtag: etagOf(now.version) });
    }
    throw error;
  }
}
