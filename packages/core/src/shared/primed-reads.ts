import type { ItemKey, Item, TableStore } from '../ports/table-store.port';

/**
 * A read view of `store` whose `get` answers the given keys from one BatchGet made up front (a
 * primed key that was absent answers undefined without a read); every other read goes to the
 * store. For request-scoped bulk work (batch ingestion) that would otherwise read the same kinds of
 * items one by one. The snapshot is as fresh as a read at the start of the request; anything that
 * needs the current value (a conflict's re-read) must use the store itself.
 */
export async function primedReads(store: TableStore, keys: readonly ItemKey[]): Promise<TableStore> {
  const id = (key: ItemKey) => `${key.pk}\u0000${key.sk}`;
  const wanted = new Map(keys.map((key) => [id(key), key]));
  const found = new Map<string, Item>();
  if (wanted.size > 0) for (const item of await store.batchGet([...wanted.values()])) found.set(id(item as ItemKey), item);
  return {
    get: async (key, options) => (wanted.has(id(key)) ? found.get(id(key)) : store.get(key, options)),
    batchGet: (k) => store.batchGet(k),
    put: (item, options) => store.put(item, options),
    delete: (key, options) => store.delete(key, options),
    transact: (operations) => store.transact(operations),
    transactEach: (groups) => store.transactEach(groups),
    query: (input) => store.query(input),
  };
}
