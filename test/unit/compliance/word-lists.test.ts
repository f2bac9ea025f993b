import { beforeEach, describe, expect, it } from 'vitest';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { installWordLists, listWordLists, normaliseWords, wordListKeys, type Clock, type RequestContext } from '@crm/core';
import { ulidGenerator } from '@crm/runtime';

const clock: Clock = { now: () => new Date('2026-11-25T09:00:00.000Z') };
let store: SqliteTableStore;
const ctx: RequestContext = { principal: { tenantId: 'acme', kind: 'user', subject: 'root', roles: ['admin'], scopes: [] }, requestId: 'r' };
// One monotonic id generator: records written in the same (fixed) millisecond keep their order.
const ids = ulidGenerator();
const deps = () => ({ store, clock, ids });
const lists = [
  { name: 'guaranteed-returns', action: 'block' as const, words: ['保本保息', ' 稳赚不赔 ', '保本保息', 'ＡＢＣ'] },
  { name: 'review', action: 'flag' as const, words: ['荐股'] },
];

beforeEach(() => {
  store = new SqliteTableStore({ db: openSqliteDatabase(':memory:'), clock });
});

describe('word lists', () => {
  it('keys: one tenant partition, one item per list', () => {
    expect(wordListKeys.list('acme', 'guaranteed-returns')).toEqual({ pk: 'T#acme#WORDLIST', sk: 'LIST#guaranteed-returns' });
    expect(normaliseWords(['a', ' a', 'ＡＢＣ', ''])).toEqual(['a', 'ABC']);
  });

  it('installs new lists (normalised words, audited) and never overwrites a list that exists', async () => {
    expect(await installWordLists(deps(), ctx, 'template:financial-advisory', lists)).toEqual({ installed: ['guaranteed-returns', 'review'], skipped: [] });
    const stored = await store.get(wordListKeys.list('acme', 'guaranteed-returns'));
    expect(stored).toMatchObject({ entity: 'word-list', tenantId: 'acme', words: ['保本保息', '稳赚不赔', 'ABC'], action: 'block', source: 'template:financial-advisory', version: 1, updatedBy: 'root' });

    // The tenant edits one list (as the later CRUD route will: version 2) and defines its own under another source.
    await store.put({ ...stored!, words: ['保本保息'], version: 2, updatedBy: 'alice' });
    await store.put({ ...wordListKeys.list('acme', 'review'), entity: 'word-list', tenantId: 'acme', name: 'review', words: ['own'], action: 'mask', source: 'api', version: 1, updatedAt: clock.now().toISOString(), updatedBy: 'alice' });
    expect(await installWordLists(deps(), ctx, 'template:financial-advisory', lists)).toEqual({
      installed: [], skipped: [{ name: 'guaranteed-returns', reason: 'changed-by-tenant' }, { name: 'review', reason: 'defined-by-tenant' }],
    });
    const page = await listWordLists(store, 'acme');
    expect(page.items.map((l) => [l.name, l.words, l.version, l.source])).toEqual([
      ['guaranteed-returns', ['保本保息'], 2, 'template:financial-advisory'],
      ['review', ['own'], 1, 'api'],
    ]);
    expect(await listWordLists(store, 'globex')).toEqual({ items: [], next: null });
  });

  it('refuses lists that do not fit the schema', async () => {
    await expect(installWordLists(deps(), ctx, 'template:x', [{ name: 'Bad Name', action: 'block', words: ['a'] }])).rejects.toThrow();
    await expect(installWordLists(deps(), ctx, 'somewhere', lists)).rejects.toThrow();
  });
});
