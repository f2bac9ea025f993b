/**
 * The table-store contract: one suite, run against every adapter (SQLite and DynamoDB Local).
 * Every test works in partitions of its own, so the suite shares one store (one DynamoDB table)
 * and tests never see each other's items.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConditionFailedError,
  INDEX_NAMES,
  TransactionConflictError,
  indexKeyAttributes,
  type Clock,
  type IndexName,
  type Item,
  type ItemKey,
  type QueryInput,
  type SortKeyCondition,
  type TableStore,
} from '@crm/core';

export interface TableStoreFixture {
  store: TableStore;
  close?: () => Promise<void> | void;
}

/** A clock the test moves by hand; TTL decisions follow it, not the wall clock. */
export class ManualClock implements Clock {
  constructor(private epochMs: number) {}
  now(): Date {
    return new Date(this.epochMs);
  }
  set(epochMs: number): void {
    this.epochMs = epochMs;
  }
  advanceSeconds(seconds: number): void {
    this.epochMs += seconds * 1000;
  }
}

// Far ahead of the wall clock: DynamoDB Local's own TTL process never deletes the "expired"
// items of these tests, so expiry is decided by the adapters alone, deterministically.
const BASE_TIME_MS = Date.UTC(2040, 0, 1);
const NOW_SECONDS = BASE_TIME_MS / 1000;

/** Reads all pages of a query. */
async function queryAll(store: TableStore, input: QueryInput): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let startAfter: Record<string, string> | undefined;
  let pages = 0;
  do {
    const page = await store.query({ ...input, ...(startAfter ? { startAfter } : {}) });
    items.push(...page.items);
    startAfter = page.lastKey;
    pages++;
    if (pages > 1000) throw new Error('pagination does not terminate');
  } while (startAfter);
  return { items, pages };
}

const sks = (items: Item[]): string[] => items.map((item) => item.sk);
const keyOf = (item: Item): ItemKey => ({ pk: item.pk, sk: item.sk });

/** Byte-order sort, the oracle for DynamoDB's string ordering. */
const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function describeTableStoreContract(
  name: string,
  factory: (clock: Clock) => Promise<TableStoreFixture> | TableStoreFixture,
): void {
  describe(`TableStore contract: ${name}`, () => {
    const clock = new ManualClock(BASE_TIME_MS);
    const run = randomUUID().slice(0, 8);
    let partitions = 0;
    /** A fresh, tenant-prefixed partition key no other test uses. */
    const partition = (label = 'P'): string => `TENANT#${run}${String(partitions++).padStart(4, '0')}#${label}`;
    let fixture: TableStoreFixture;
    let store: TableStore;

    beforeAll(async () => {
      fixture = await factory(clock);
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.close?.();
    });
    beforeEach(() => clock.set(BASE_TIME_MS));

    const putAll = (items: Item[]): Promise<unknown> => Promise.all(items.map((item) => store.put(item)));

    describe('get / put / replace', () => {
      it('returns undefined for a missing item', async () => {
        expect(await store.get({ pk: partition(), sk: 'missing' })).toBeUndefined();
      });

      it('round-trips strings, numbers, booleans, null, nested objects and arrays', async () => {
        const item: Item = {
          pk: partition(),
          sk: 'CUSTOMER#1',
          text: 'Grüße, 世界 😀',
          empty: '',
          integer: 42,
          negative: -17,
          zero: 0,
          decimal: 3.14159,
          large: Number.MAX_SAFE_INTEGER,
          yes: true,
          no: false,
          nothing: null,
          nested: { level1: { level2: { value: 'deep', list: [1, 'two', { three: 3 }] } }, emptyMap: {} },
          list: ['a', 1, true, null, [2, 3], { key: 'value' }],
          emptyList: [],
        };
        await store.put(item);
        expect(await store.get(keyOf(item))).toEqual(item);
        expect(await store.get(keyOf(item), { consistent: true })).toEqual(item);
      });

      it('replaces the whole item on put', async () => {
        const key = { pk: partition(), sk: 'ITEM' };
        await store.put({ ...key, name: 'first', removedLater: 1 });
        await store.put({ ...key, name: 'second' });
        expect(await store.get(key)).toEqual({ ...key, name: 'second' });
      });

      it('round-trips items of about 300 KB', async () => {
        const item: Item = { pk: partition(), sk: 'BIG', payload: 'x'.repeat(150_000), more: 'é'.repeat(75_000) };
        await store.put(item);
        expect(await store.get(keyOf(item))).toEqual(item);
      });

      it('rejects items over 400 KB and stores nothing', async () => {
        const item: Item = { pk: partition(), sk: 'TOO-BIG', payload: 'x'.repeat(410 * 1024) };
        await expect(store.put(item)).rejects.toThrow();
        expect(await store.get(keyOf(item))).toBeUndefined();
      });

      it('rejects invalid keys, index keys and TTL values', async () => {
        const pk = partition();
        await expect(store.put({ pk: '', sk: 'A' })).rejects.toThrow();
        await expect(store.put({ pk, sk: '' })).rejects.toThrow();
        await expect(store.put({ pk, sk: 'A', gsi1pk: 'G', gsi1sk: 7 })).rejects.toThrow();
        await expect(store.put({ pk, sk: 'A', gsi2pk: '', gsi2sk: 'S' })).rejects.toThrow();
        await expect(store.put({ pk, sk: 'A', expiresAt: '2040-01-01' })).rejects.toThrow();
        expect(await store.get({ pk, sk: 'A' })).toBeUndefined();
      });
    });

    describe('conditions', () => {
      it('notExists creates once, then fails with ConditionFailedError and changes nothing', async () => {
        const key = { pk: partition(), sk: 'PHONE#+4930123' };
        await store.put({ ...key, owner: 'A' }, { condition: { kind: 'notExists' } });
        const second = store.put({ ...key, owner: 'B' }, { condition: { kind: 'notExists' } });
        await expect(second).rejects.toBeInstanceOf(ConditionFailedError);
        await expect(second).rejects.toMatchObject({ name: 'ConditionFailedError' });
        expect(await store.get(key)).toEqual({ ...key, owner: 'A' });
      });

      it('exists fails for a missing item and passes for a present one', async () => {
        const key = { pk: partition(), sk: 'ITEM' };
        await expect(
          store.put({ ...key, v: 1 }, { condition: { kind: 'exists' } }),
        ).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await store.get(key)).toBeUndefined();
        await store.put({ ...key, v: 1 });
        await store.put({ ...key, v: 2 }, { condition: { kind: 'exists' } });
        expect(await store.get(key)).toEqual({ ...key, v: 2 });
      });

      it('equals compares typed top-level values (optimistic locking)', async () => {
        const key = { pk: partition(), sk: 'ITEM' };
        await store.put({ ...key, version: 1, flag: true, note: null, label: '1' });
        const attempt = (attribute: string, value: string | number | boolean | null) =>
          store.put({ ...key, version: 2, flag: true, note: null, label: '1' }, {
            condition: { kind: 'equals', attribute, value },
          });
        await expect(attempt('version', 2)).rejects.toBeInstanceOf(ConditionFailedError);
        await expect(attempt('version', '1')).rejects.toBeInstanceOf(ConditionFailedError);
        await expect(attempt('label', 1)).rejects.toBeInstanceOf(ConditionFailedError);
        await expect(attempt('missing', null)).rejects.toBeInstanceOf(ConditionFailedError);
        await expect(attempt('flag', false)).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await store.get(key)).toMatchObject({ version: 1 });
        await attempt('note', null);
        expect(await store.get(key)).toMatchObject({ version: 2 });
        await store.put({ ...key, version: 3 }, { condition: { kind: 'equals', attribute: 'flag', value: true } });
        await store.put({ ...key, version: 4 }, { condition: { kind: 'equals', attribute: 'version', value: 3 } });
        expect(await store.get(key)).toEqual({ ...key, version: 4 });
      });

      it('equals fails on a missing item', async () => {
        const key = { pk: partition(), sk: 'ITEM' };
        await expect(
          store.put({ ...key }, { condition: { kind: 'equals', attribute: 'version', value: 1 } }),
        ).rejects.toBeInstanceOf(ConditionFailedError);
      });

      it('equals handles reserved words and dotted attribute names', async () => {
        const key = { pk: partition(), sk: 'ITEM' };
        await store.put({ ...key, status: 'open', 'first.name': 'Ada', name: 'x', data: 1 });
        await store.put(
          { ...key, status: 'closed' },
          {
            condition: {
              kind: 'and',
              conditions: [
                { kind: 'equals', attribute: 'status', value: 'open' },
                { kind: 'equals', attribute: 'first.name', value: 'Ada' },
                { kind: 'equals', attribute: 'name', value: 'x' },
                { kind: 'equals', attribute: 'data', value: 1 },
              ],
            },
          },
        );
        expect(await store.get(key)).toEqual({ ...key, status: 'closed' });
      });

      it('and requires every condition, nested or not', async () => {
        const key = { pk: partition(), sk: 'ITEM' };
        await store.put({ ...key, version: 1, state: 'active' });
        const both = (version: number, state: string) => ({
          kind: 'and' as const,
          conditions: [
            { kind: 'exists' as const },
            {
              kind: 'and' as const,
              conditions: [
                { kind: 'equals' as const, attribute: 'version', value: version },
                { kind: 'equals' as const, attribute: 'state', value: state },
              ],
            },
          ],
        });
        await expect(
          store.put({ ...key, version: 2 }, { condition: both(1, 'archived') }),
        ).rejects.toBeInstanceOf(ConditionFailedError);
        await expect(
          store.put({ ...key, version: 2 }, { condition: both(2, 'active') }),
        ).rejects.toBeInstanceOf(ConditionFailedError);
        await store.put({ ...key, version: 2 }, { condition: both(1, 'active') });
        expect(await store.get(key)).toEqual({ ...key, version: 2 });
        // An empty conjunction checks nothing.
        await store.put({ ...key, version: 3 }, { condition: { kind: 'and', conditions: [] } });
        expect(await store.get(key)).toEqual({ ...key, version: 3 });
      });

      it('delete succeeds for a missing item unless a condition says otherwise', async () => {
        const key = { pk: partition(), sk: 'ITEM' };
        await store.delete(key);
        await expect(store.delete(key, { condition: { kind: 'exists' } })).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
        await store.delete(key, { condition: { kind: 'notExists' } });
      });

      it('delete honours conditions and removes the item', async () => {
        const key = { pk: partition(), sk: 'ITEM' };
        await store.put({ ...key, version: 5 });
        await expect(
          store.delete(key, { condition: { kind: 'equals', attribute: 'version', value: 4 } }),
        ).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await store.get(key)).toBeDefined();
        await expect(store.delete(key, { condition: { kind: 'notExists' } })).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
        await store.delete(key, { condition: { kind: 'equals', attribute: 'version', value: 5 } });
        expect(await store.get(key)).toBeUndefined();
      });
    });

    describe('transact', () => {
      it('writes puts and deletes and passes condition checks together', async () => {
        const pk = partition();
        await putAll([
          { pk, sk: 'OLD', v: 1 },
          { pk, sk: 'GUARD', version: 7 },
        ]);
        await store.transact([
          { type: 'put', item: { pk, sk: 'NEW', v: 1 }, condition: { kind: 'notExists' } },
          { type: 'put', item: { pk, sk: 'LOOKUP', target: 'NEW' } },
          { type: 'delete', key: { pk, sk: 'OLD' }, condition: { kind: 'exists' } },
          {
            type: 'conditionCheck',
            key: { pk, sk: 'GUARD' },
            condition: { kind: 'equals', attribute: 'version', value: 7 },
          },
        ]);
        expect(await store.batchGet([{ pk, sk: 'NEW' }, { pk, sk: 'LOOKUP' }, { pk, sk: 'OLD' }, { pk, sk: 'GUARD' }])).toEqual([
          { pk, sk: 'NEW', v: 1 },
          { pk, sk: 'LOOKUP', target: 'NEW' },
          { pk, sk: 'GUARD', version: 7 },
        ]);
      });

      it('writes nothing when a condition fails and reports every failed index', async () => {
        const pk = partition();
        await putAll([
          { pk, sk: 'TAKEN', owner: 'someone' },
          { pk, sk: 'KEEP', v: 1 },
        ]);
        const attempt = store.transact([
          { type: 'put', item: { pk, sk: 'FRESH', v: 1 }, condition: { kind: 'notExists' } },
          { type: 'put', item: { pk, sk: 'TAKEN', owner: 'me' }, condition: { kind: 'notExists' } },
          { type: 'delete', key: { pk, sk: 'KEEP' } },
          { type: 'conditionCheck', key: { pk, sk: 'ABSENT' }, condition: { kind: 'exists' } },
        ]);
        await expect(attempt).rejects.toBeInstanceOf(TransactionConflictError);
        await expect(attempt).rejects.toMatchObject({ name: 'TransactionConflictError', failedIndexes: [1, 3] });
        const { items } = await store.query({ partition: pk, limit: 10 });
        expect(items).toEqual([
          { pk, sk: 'KEEP', v: 1 },
          { pk, sk: 'TAKEN', owner: 'someone' },
        ]);
      });

      it('accepts 100 operations and rejects more, or two on one item', async () => {
        const pk = partition();
        const operations = Array.from({ length: 100 }, (_, i) => ({
          type: 'put' as const,
          item: { pk, sk: `I#${String(i).padStart(3, '0')}` },
        }));
        await store.transact(operations);
        expect((await queryAll(store, { partition: pk, limit: 1000 })).items).toHaveLength(100);
        await expect(
          store.transact([...operations, { type: 'put', item: { pk, sk: 'I#100' } }]),
        ).rejects.toThrow();
        await expect(
          store.transact([
            { type: 'put', item: { pk, sk: 'DUP', v: 1 } },
            { type: 'delete', key: { pk, sk: 'DUP' } },
          ]),
        ).rejects.toThrow();
        expect(await store.get({ pk, sk: 'DUP' })).toBeUndefined();
        expect(await store.get({ pk, sk: 'I#100' })).toBeUndefined();
      });
    });

    describe('transactEach', () => {
      it('applies each group all-or-nothing on its own and answers an outcome per group', async () => {
        const pk = partition();
        await putAll([{ pk, sk: 'TAKEN', owner: 'someone' }]);
        const results = await store.transactEach([
          [{ type: 'put', item: { pk, sk: 'A1', v: 1 }, condition: { kind: 'notExists' } }, { type: 'put', item: { pk, sk: 'A2', v: 1 } }],
          [{ type: 'put', item: { pk, sk: 'B1', v: 1 } }, { type: 'put', item: { pk, sk: 'TAKEN', owner: 'me' }, condition: { kind: 'notExists' } }],
          [{ type: 'put', item: { pk, sk: 'C1', v: 1 } }, { type: 'delete', key: { pk, sk: 'C1' } }],
          [],
          [{ type: 'put', item: { pk, sk: 'D1', v: 1 } }],
        ]);
        expect(results).toHaveLength(5);
        expect(results[0]).toBeUndefined();
        expect(results[1]).toBeInstanceOf(TransactionConflictError);
        expect(results[1]).toMatchObject({ failedIndexes: [1] });
        expect(results[2]).toBeInstanceOf(Error);
        expect(results[3]).toBeUndefined();
        expect(results[4]).toBeUndefined();
        expect(sks((await store.query({ partition: pk, limit: 10 })).items)).toEqual(['A1', 'A2', 'D1', 'TAKEN']);
        expect(await store.get({ pk, sk: 'TAKEN' })).toEqual({ pk, sk: 'TAKEN', owner: 'someone' });
      });

      it('lets only one of two groups claim the same item', async () => {
        const pk = partition();
        const claim = (by: string) => [{ type: 'put' as const, item: { pk, sk: 'CLAIM', by }, condition: { kind: 'notExists' as const } }, { type: 'put' as const, item: { pk, sk: `BY#${by}` } }];
        const results = await store.transactEach([claim('x'), claim('y')]);
        expect(results.filter((r) => r === undefined)).toHaveLength(1);
        expect(results.find((r) => r !== undefined)).toBeInstanceOf(TransactionConflictError);
        const winner = (await store.get({ pk, sk: 'CLAIM' }))!.by as string;
        expect(sks((await store.query({ partition: pk, limit: 10 })).items)).toEqual([`BY#${winner}`, 'CLAIM']);
        expect(await store.transactEach([])).toEqual([]);
      });
    });

    describe('batchGet', () => {
      it('returns found items in key order across more than 100 keys, omitting missing ones', async () => {
        const pk = partition();
        const stored = Array.from({ length: 150 }, (_, i) => ({ pk, sk: `S#${String(i).padStart(3, '0')}`, i }));
        await putAll(stored);
        // Reverse order, with a missing key after every other present one.
        const keys: ItemKey[] = [];
        const expected: Item[] = [];
        for (const item of [...stored].reverse()) {
          keys.push(keyOf(item));
          expected.push(item);
          if (item.i % 2 === 0) keys.push({ pk, sk: `MISSING#${item.i}` });
        }
        expect(keys.length).toBe(225);
        expect(await store.batchGet(keys)).toEqual(expected);
      });

      it('answers an empty list with an empty list and tolerates duplicate keys', async () => {
        const pk = partition();
        expect(await store.batchGet([])).toEqual([]);
        await store.put({ pk, sk: 'A' });
        expect(await store.batchGet([{ pk, sk: 'A' }, { pk, sk: 'A' }])).toEqual([{ pk, sk: 'A' }, { pk, sk: 'A' }]);
      });
    });

    describe('query', () => {
      const SORT_KEYS = ['a', 'b#1', 'b#2', 'ba', 'c', 'd'];
      const cases: Array<[string, SortKeyCondition | undefined, string[]]> = [
        ['no sort-key condition', undefined, SORT_KEYS],
        ['beginsWith', { beginsWith: 'b#' }, ['b#1', 'b#2']],
        ['between (inclusive)', { between: ['b#2', 'c'] }, ['b#2', 'ba', 'c']],
        ['gt', { gt: 'ba' }, ['c', 'd']],
        ['gte', { gte: 'ba' }, ['ba', 'c', 'd']],
        ['lt', { lt: 'b#2' }, ['a', 'b#1']],
        ['lte', { lte: 'b#2' }, ['a', 'b#1', 'b#2']],
        ['equals', { equals: 'c' }, ['c']],
      ];
      const targets: Array<IndexName | undefined> = [undefined, ...INDEX_NAMES];

      /** Items whose sort key (table or index) is `sortKey`; on a GSI the table keys differ on purpose. */
      function itemsFor(index: IndexName | undefined, pk: string, sortKeys: string[]): Item[] {
        if (!index) return sortKeys.map((sk) => ({ pk, sk, label: sk }));
        const { pk: indexPk, sk: indexSk } = indexKeyAttributes(index);
        return sortKeys.map((value, i) => ({
          pk: `${pk}#ITEM${i}`,
          sk: `ROW#${String(sortKeys.length - i).padStart(3, '0')}`,
          [indexPk]: pk,
          [indexSk]: value,
          label: value,
        }));
      }
      const labels = (items: Item[]): string[] => items.map((item) => item.label as string);

      describe.each(targets.map((index) => [index ?? 'table', index] as const))('on %s', (_, index) => {
        it.each(cases)('%s, forward and backward', async (_case, sortKey, expected) => {
          const pk = partition();
          await putAll(itemsFor(index, pk, SORT_KEYS));
          const base = { ...(index ? { index } : {}), partition: pk, limit: 100, ...(sortKey ? { sortKey } : {}) };
          expect(labels((await store.query(base)).items)).toEqual(expected);
          expect(labels((await store.query({ ...base, forward: true })).items)).toEqual(expected);
          expect(labels((await store.query({ ...base, forward: false })).items)).toEqual([...expected].reverse());
        });
      });

      it('sorts sort keys by UTF-8 bytes on the table and on a GSI', async () => {
        const values = ['😀', '中', 'é', 'b', 'a', '\uFF5E', 'Z', '0', 'ab', 'a\u00A0'];
        const expected = [...values].sort(byUtf8);
        // UTF-16 order (JavaScript's default) differs from byte order for these two.
        expect([...values].sort().indexOf('😀')).toBeLessThan([...values].sort().indexOf('\uFF5E'));
        expect(expected.indexOf('😀')).toBeGreaterThan(expected.indexOf('\uFF5E'));
        for (const index of [undefined, 'gsi2' as const]) {
          const pk = partition();
          await putAll(itemsFor(index, pk, values));
          const query = { ...(index ? { index } : {}), partition: pk, limit: 100 };
          expect(labels((await store.query(query)).items)).toEqual(expected);
          expect(labels((await store.query({ ...query, forward: false })).items)).toEqual([...expected].reverse());
          expect(labels((await store.query({ ...query, sortKey: { gt: 'é' } })).items)).toEqual(['中', '\uFF5E', '😀']);
          expect(labels((await store.query({ ...query, sortKey: { between: ['b', '中'] } })).items)).toEqual(['b', 'é', '中']);
        }
      });

      it('matches beginsWith exactly at code-point boundaries', async () => {
        const pk = partition();
        const values = [
          'a', 'aa', 'ab', 'ab\u{10FFFF}x', 'ac', 'a\u{10FFFF}', 'a\u{10FFFF}\u{10FFFF}', 'b',
          'é', 'é1', 'éa', 'ê', '\uD7FF1', '\uE000', '中文', '中', '丮',
        ];
        await putAll(itemsFor(undefined, pk, values));
        const begins = async (prefix: string) =>
          labels((await store.query({ partition: pk, limit: 100, sortKey: { beginsWith: prefix } })).items);
        expect(await begins('ab')).toEqual(['ab', 'ab\u{10FFFF}x']);
        expect(await begins('a\u{10FFFF}')).toEqual(['a\u{10FFFF}', 'a\u{10FFFF}\u{10FFFF}']);
        expect(await begins('é')).toEqual(['é', 'é1', 'éa']);
        expect(await begins('\uD7FF')).toEqual(['\uD7FF1']);
        expect(await begins('中')).toEqual(['中', '中文']);
        expect(await begins('a')).toEqual(
          ['a', 'aa', 'ab', 'ab\u{10FFFF}x', 'ac', 'a\u{10FFFF}', 'a\u{10FFFF}\u{10FFFF}'].sort(byUtf8),
        );
      });

      it('pages through the table without gaps or duplicates, both directions', async () => {
        const pk = partition();
        const values = Array.from({ length: 11 }, (_, i) => `K#${String(i).padStart(2, '0')}`);
        await putAll(values.map((sk) => ({ pk, sk })));
        const forward = await queryAll(store, { partition: pk, limit: 3 });
        expect(sks(forward.items)).toEqual(values);
        expect(forward.pages).toBeGreaterThanOrEqual(4);
        const backward = await queryAll(store, { partition: pk, limit: 4, forward: false });
        expect(sks(backward.items)).toEqual([...values].reverse());
        const filtered = await queryAll(store, { partition: pk, limit: 2, sortKey: { between: ['K#03', 'K#08'] } });
        expect(sks(filtered.items)).toEqual(values.slice(3, 9));
        const first = await store.query({ partition: pk, limit: 3 });
        expect(sks(first.items)).toEqual(values.slice(0, 3));
        expect(first.lastKey).toEqual({ pk, sk: 'K#02' });
      });

      it('pages through a GSI with ties on its sort key without gaps or duplicates', async () => {
        const pk = partition();
        const { pk: indexPk, sk: indexSk } = indexKeyAttributes('gsi1');
        const items = Array.from({ length: 13 }, (_, i) => ({
          pk: `${pk}#C${i % 4}`,
          sk: `ROW#${String(i).padStart(2, '0')}`,
          [indexPk]: pk,
          // Runs of equal index sort keys: 2024-01 ×5, 2024-02 ×5, 2024-03 ×3
          [indexSk]: `2024-0${Math.floor(i / 5) + 1}`,
        }));
        await putAll(items);
        for (const [limit, forward] of [[1, true], [2, true], [4, false], [3, false]] as const) {
          const { items: found, pages } = await queryAll(store, { index: 'gsi1', partition: pk, limit, forward });
          expect(pages).toBeGreaterThanOrEqual(Math.ceil(items.length / limit));
          const ids = found.map((item) => `${item.pk}|${item.sk}`);
          expect(new Set(ids).size).toBe(items.length);
          expect(ids.sort()).toEqual(items.map((item) => `${item.pk}|${item.sk}`).sort());
          const order = found.map((item) => item[indexSk] as string);
          expect(order).toEqual([...order].sort(forward ? byUtf8 : (a, b) => byUtf8(b, a)));
        }
        const page = await store.query({ index: 'gsi1', partition: pk, limit: 2 });
        expect(Object.keys(page.lastKey ?? {}).sort()).toEqual(['gsi1pk', 'gsi1sk', 'pk', 'sk']);
        expect(page.lastKey).toMatchObject({ gsi1pk: pk, gsi1sk: '2024-01' });
      });

      it('returns lastKey for a page that fills its limit, even when nothing follows (DynamoDB behaviour)', async () => {
        const pk = partition();
        await putAll(['A', 'B'].map((sk) => ({ pk, sk, gsi2pk: pk, gsi2sk: sk })));
        const full = await store.query({ partition: pk, limit: 2 });
        expect(full).toEqual({ items: [{ pk, sk: 'A', gsi2pk: pk, gsi2sk: 'A' }, { pk, sk: 'B', gsi2pk: pk, gsi2sk: 'B' }], lastKey: { pk, sk: 'B' } });
        expect(await store.query({ partition: pk, limit: 2, startAfter: full.lastKey! })).toEqual({ items: [] });
        expect(await store.query({ partition: pk, limit: 3 })).not.toHaveProperty('lastKey');
        const index = await store.query({ index: 'gsi2', partition: pk, limit: 2, forward: false });
        expect(index.lastKey).toEqual({ pk, sk: 'A', gsi2pk: pk, gsi2sk: 'A' });
        expect(await store.query({ index: 'gsi2', partition: pk, limit: 2, forward: false, startAfter: index.lastKey! })).toEqual({ items: [] });
      });

      it('continues after a startAfter key whose item was deleted meanwhile', async () => {
        const pk = partition();
        await putAll(['A', 'B', 'C', 'D', 'E'].map((sk) => ({ pk, sk })));
        const first = await store.query({ partition: pk, limit: 2 });
        expect(first.lastKey).toEqual({ pk, sk: 'B' });
        await store.delete({ pk, sk: 'B' });
        const rest = await store.query({ partition: pk, limit: 10, startAfter: first.lastKey! });
        expect(sks(rest.items)).toEqual(['C', 'D', 'E']);
      });

      it('keeps sparse GSIs sparse: only items with both index keys are indexed', async () => {
        const pk = partition();
        await putAll([
          { pk: `${pk}#1`, sk: 'X', gsi3pk: pk, gsi3sk: 'indexed' },
          { pk: `${pk}#2`, sk: 'X', gsi3pk: pk },
          { pk: `${pk}#3`, sk: 'X', gsi3sk: 'no-partition' },
          { pk: `${pk}#4`, sk: 'X' },
          { pk: `${pk}#5`, sk: 'X', gsi3pk: pk, gsi3sk: 'dropped-later' },
        ]);
        await store.put({ pk: `${pk}#5`, sk: 'X' });
        const { items } = await store.query({ index: 'gsi3', partition: pk, limit: 100 });
        expect(items).toEqual([{ pk: `${pk}#1`, sk: 'X', gsi3pk: pk, gsi3sk: 'indexed' }]);
        expect((await store.query({ index: 'gsi4', partition: pk, limit: 100 })).items).toEqual([]);
      });

      it('never returns items of another partition, even one with a common prefix', async () => {
        const tenantA = partition('TENANT-A');
        const lookalikes = [tenantA, `${tenantA}B`, `${tenantA}#X`, tenantA.slice(0, -1)];
        for (const pk of lookalikes) {
          await putAll([
            { pk, sk: 'CUSTOMER#1', gsi1pk: pk, gsi1sk: 'CUSTOMER#1', owner: pk },
            { pk, sk: 'CUSTOMER#2', gsi1pk: pk, gsi1sk: 'CUSTOMER#2', owner: pk },
          ]);
        }
        for (const pk of lookalikes) {
          for (const index of [undefined, 'gsi1' as const]) {
            const all = await store.query({ ...(index ? { index } : {}), partition: pk, limit: 100 });
            expect(all.items.map((item) => item.owner)).toEqual([pk, pk]);
            const prefixed = await store.query({
              ...(index ? { index } : {}),
              partition: pk,
              limit: 100,
              sortKey: { beginsWith: 'CUSTOMER#' },
            });
            expect(prefixed.items.map((item) => item.owner)).toEqual([pk, pk]);
          }
        }
      });

      it('rejects invalid limits and reversed between bounds', async () => {
        const pk = partition();
        await expect(store.query({ partition: pk, limit: 0 })).rejects.toThrow();
        await expect(store.query({ partition: pk, limit: 1001 })).rejects.toThrow();
        await expect(store.query({ partition: pk, limit: 1.5 })).rejects.toThrow();
        await expect(store.query({ partition: pk, limit: 10, sortKey: { between: ['b', 'a'] } })).rejects.toThrow();
      });
    });

    describe('TTL', () => {
      it('hides expired items from get, batchGet and query', async () => {
        const pk = partition();
        await putAll([
          { pk, sk: 'EXPIRED', expiresAt: NOW_SECONDS - 60, gsi1pk: pk, gsi1sk: 'EXPIRED' },
          { pk, sk: 'EXPIRES-NOW', expiresAt: NOW_SECONDS, gsi1pk: pk, gsi1sk: 'EXPIRES-NOW' },
          { pk, sk: 'LIVE', expiresAt: NOW_SECONDS + 60, gsi1pk: pk, gsi1sk: 'LIVE' },
          { pk, sk: 'FOREVER', gsi1pk: pk, gsi1sk: 'FOREVER' },
        ]);
        expect(await store.get({ pk, sk: 'EXPIRED' })).toBeUndefined();
        expect(await store.get({ pk, sk: 'EXPIRES-NOW' })).toBeUndefined();
        expect(await store.get({ pk, sk: 'LIVE' })).toMatchObject({ sk: 'LIVE' });
        const keys = ['EXPIRED', 'LIVE', 'EXPIRES-NOW', 'FOREVER'].map((sk) => ({ pk, sk }));
        expect(sks(await store.batchGet(keys))).toEqual(['LIVE', 'FOREVER']);
        expect(sks((await store.query({ partition: pk, limit: 100 })).items)).toEqual(['FOREVER', 'LIVE']);
        expect(sks((await store.query({ index: 'gsi1', partition: pk, limit: 100 })).items)).toEqual(['FOREVER', 'LIVE']);
        // Pagination still reaches every live item when expired ones use up a page's limit.
        expect(sks((await queryAll(store, { partition: pk, limit: 1 })).items)).toEqual(['FOREVER', 'LIVE']);

        clock.advanceSeconds(60);
        expect(await store.get({ pk, sk: 'LIVE' })).toBeUndefined();
        expect(sks((await store.query({ partition: pk, limit: 100 })).items)).toEqual(['FOREVER']);
      });

      it('treats expired items as absent in conditions', async () => {
        const pk = partition();
        const expired = { pk, sk: 'LOCK', owner: 'old', version: 1, expiresAt: NOW_SECONDS - 1 };
        await store.put(expired);
        await expect(store.put({ ...expired, owner: 'x' }, { condition: { kind: 'exists' } })).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
        await expect(
          store.put({ ...expired, owner: 'x' }, { condition: { kind: 'equals', attribute: 'version', value: 1 } }),
        ).rejects.toBeInstanceOf(ConditionFailedError);
        await expect(store.delete(expired, { condition: { kind: 'exists' } })).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
        await expect(
          store.transact([{ type: 'conditionCheck', key: expired, condition: { kind: 'exists' } }]),
        ).rejects.toMatchObject({ failedIndexes: [0] });
        await store.transact([{ type: 'conditionCheck', key: expired, condition: { kind: 'notExists' } }]);
        await store.put(
          { pk, sk: 'LOCK', owner: 'new', expiresAt: NOW_SECONDS + 30 },
          { condition: { kind: 'notExists' } },
        );
        expect(await store.get({ pk, sk: 'LOCK' })).toEqual({ pk, sk: 'LOCK', owner: 'new', expiresAt: NOW_SECONDS + 30 });
        await expect(
          store.put({ pk, sk: 'LOCK', owner: 'other' }, { condition: { kind: 'notExists' } }),
        ).rejects.toBeInstanceOf(ConditionFailedError);
      });
    });
  });
}
