import { beforeEach, describe, expect, it } from 'vitest';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import {
  auditKeys, deleteWordList, installWordLists, listWordLists, putWordList, rejectBlockedContent, screenForTenant, wordListKeys,
  wordListNameParam, wordScreeningAudit, type TableStore,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext, errorCode, fixedClock } from '../../support/use-case-harness';

let store: TableStore;
const ctx = adminContext('acme');
// One monotonic id generator: audit entries written in the same (fixed) millisecond keep their order.
const ids = ulidGenerator();
const deps = () => ({ store, clock: fixedClock, ids });
const audits = async () => (await store.query({ partition: auditKeys.dayPartition('acme', '2026-11-25'), limit: 100 })).items;

beforeEach(() => {
  store = new SqliteTableStore({ db: openSqliteDatabase(':memory:'), clock: fixedClock });
});

describe('word-list management', () => {
  it('creates without If-Match, then replaces only with the current version, audited each time', async () => {
    const created = await putWordList(deps(), ctx, 'contact', { words: ['微信', ' ＱＱ ', '微信'], action: 'mask' }, undefined);
    expect(created).toMatchObject({ name: 'contact', words: ['微信', 'QQ'], action: 'mask', source: 'api', version: 1, updatedBy: 'alice' });
    expect(await errorCode(putWordList(deps(), ctx, 'contact', { words: ['x'], action: 'flag' }, undefined))).toBe('precondition_required');
    expect(await errorCode(putWordList(deps(), ctx, 'contact', { words: ['x'], action: 'flag' }, '"7"'))).toBe('precondition_failed');
    const replaced = await putWordList(deps(), ctx, 'contact', { words: ['微信', 'wechat'], action: 'block' }, '"1"');
    expect(replaced).toMatchObject({ words: ['微信', 'wechat'], action: 'block', version: 2 });
    expect((await listWordLists(store, 'acme')).items.map((l) => [l.name, l.version])).toEqual([['contact', 2]]);

    const entries = await audits();
    expect(entries.map((e) => [e.action, e.resource, e.resourceId])).toEqual([
      ['compliance:manage', 'word-list', 'contact'], ['compliance:manage', 'word-list', 'contact'],
    ]);
    expect(entries[1]).toMatchObject({ changes: [{ field: 'action', before: 'mask', after: 'block' }], detail: { added: 1, removed: 1 } });
  });

  it('deletes a list (404 when missing, If-Match checked when sent) with its before-image in the audit', async () => {
    await putWordList(deps(), ctx, 'review', { words: ['荐股'], action: 'flag' }, undefined);
    expect(await errorCode(deleteWordList(deps(), ctx, 'review', '"3"'))).toBe('precondition_failed');
    await deleteWordList(deps(), ctx, 'review', '"1"');
    expect(await store.get(wordListKeys.list('acme', 'review'))).toBeUndefined();
    expect(await errorCode(deleteWordList(deps(), ctx, 'review', undefined))).toBe('not_found');
    expect((await audits()).at(-1)).toMatchObject({ action: 'compliance:manage', before: { words: ['荐股'], action: 'flag' } });
  });

  it('validates the name from the path', () => {
    expect(wordListNameParam({ name: 'ok-name' })).toBe('ok-name');
    expect(() => wordListNameParam({ name: 'Bad Name' })).toThrow(/not valid/);
    expect(() => wordListNameParam({})).toThrow(/not valid/);
  });

  it("screens texts against the tenant's current lists (template and API lists alike)", async () => {
    expect(await screenForTenant(store, 'acme', { body: '稳赚不赔' })).toEqual({ action: 'none', hits: [], masked: { body: '稳赚不赔' } });
    await installWordLists(deps(), ctx, 'template:financial-advisory', [{ name: 'returns', action: 'block', words: ['稳赚不赔'] }]);
    await putWordList(deps(), ctx, 'contact', { words: ['微信'], action: 'mask' }, undefined);
    const verdict = await screenForTenant(store, 'acme', { subject: '加微信', body: '這個穩賺不賠' });
    expect(verdict.action).toBe('block');
    expect(verdict.hits).toEqual([
      { field: 'subject', list: 'contact', word: '微信', action: 'mask', start: 1, end: 3 },
      { field: 'body', list: 'returns', word: '稳赚不赔', action: 'block', start: 2, end: 6 },
    ]);
    expect(verdict.masked).toEqual({ subject: '加**', body: '這個穩賺不賠' });
    // Another tenant's lists never apply.
    expect((await screenForTenant(store, 'other', { body: '稳赚不赔' })).action).toBe('none');

    // A changed list changes the cached automaton (new version in the cache key).
    await putWordList(deps(), ctx, 'contact', { words: ['电话'], action: 'mask' }, '"1"');
    expect((await screenForTenant(store, 'acme', { subject: '加微信 电话' })).hits.map((h) => h.word)).toEqual(['电话']);
  });

  it('audits hits: a mask/flag audit goes into the caller transaction, a block is audited and refused', async () => {
    await putWordList(deps(), ctx, 'returns', { words: ['保本'], action: 'block' }, undefined);
    await putWordList(deps(), ctx, 'review', { words: ['荐股'], action: 'flag' }, undefined);
    const flagged = await screenForTenant(store, 'acme', { body: '今日荐股' });
    expect(flagged.action).toBe('flag');
    const op = wordScreeningAudit(deps(), ctx, { type: 'interaction', id: 'i1' }, flagged);
    expect(op).toMatchObject({ type: 'put', item: { action: 'compliance:word-hit', resource: 'interaction', resourceId: 'i1', outcome: 'success' } });
    expect(wordScreeningAudit(deps(), ctx, { type: 'interaction' }, { action: 'none', hits: [], masked: {} })).toBeUndefined();

    const blocked = await screenForTenant(store, 'acme', { body: '保本' });
    const error = await rejectBlockedContent(deps(), ctx, { type: 'interaction' }, blocked).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'content_blocked', extra: { rules: [{ field: 'body', list: 'returns', word: '保本' }] } });
    expect((await audits()).at(-1)).toMatchObject({ action: 'compliance:word-hit', outcome: 'denied', detail: { verdict: 'block' } });
  });
});
