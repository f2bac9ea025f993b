import * as z from 'zod';
import { auditEntryFrom, auditPutOperation } from '../audit/audit-entry';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type Item, type ItemKey, type TableStore } from '../ports/table-store.port';
import type { RequestContext } from '../principal';

/**
 * Sensitive-word lists of a tenant: words that outgoing content (messages, notes, later the
 * interactions timeline) is checked against, and what a match does — `block` refuses the content,
 * `mask` replaces the word, `flag` lets it through marked for review. Industry templates install
 * lists; CRUD and matching (Aho–Corasick) come with the compliance issue, on these same items.
 */
export const WORD_LIST_ACTIONS = ['block', 'mask', 'flag'] as const;
export type WordListAction = (typeof WORD_LIST_ACTIONS)[number];

/** At most this many lists per tenant (one Query page loads them all). */
export const MAX_WORD_LISTS = 200;
export const MAX_WORDS_PER_LIST = 5_000;

export const WordListName = z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'must be 2-64 of a-z 0-9 - starting with a letter');
const Word = z.string().trim().min(1).max(100).regex(/^[^\u0000-\u001f]+$/, 'must not contain control characters');

/** A list as a client (the later CRUD routes) or a template defines it: `{ name, words, action }`. */
export const WordListInput = z.strictObject({
  name: WordListName,
  words: z.array(Word).min(1).max(MAX_WORDS_PER_LIST),
  action: z.enum(WORD_LIST_ACTIONS),
});
export type WordListInput = z.infer<typeof WordListInput>;

/** Who defined a list: an industry template (`template:<name>`) or the tenant through the API. */
export const WordListSource = z.string().regex(/^(api|template:[a-z0-9-]+)$/, 'must be api or template:<name>');

export const WordList = z.object({
  name: z.string(),
  words: z.array(z.string()),
  action: z.enum(WORD_LIST_ACTIONS),
  source: WordListSource,
  /** 1 when written; every later change increments it (ETag / If-Match of the CRUD routes). */
  version: z.number().int().positive(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
});
export type WordList = z.infer<typeof WordList>;

export const WordListPage = z.object({ items: z.array(WordList), next: z.string().nullable() });
export type WordListPage = z.infer<typeof WordListPage>;

export const WORD_LIST_SK_PREFIX = 'LIST#';

/** Keys of word-list items, defined once: one partition per tenant, one item per list. */
export const wordListKeys = {
  partition: (tenantId: string): string => `T#${tenantId}#WORDLIST`,
  list: (tenantId: string, name: string): ItemKey => ({ pk: `T#${tenantId}#WORDLIST`, sk: `${WORD_LIST_SK_PREFIX}${name}` }),
};

/** Words as stored: trimmed, NFKC (full-width → half-width), de-duplicated, first occurrence's order kept. */
export function normaliseWords(words: readonly string[]): string[] {
  return [...new Set(words.map((w) => w.normalize('NFKC').trim()).filter((w) => w !== ''))];
}

function toWordList(item: Item): WordList {
  return {
    name: item.name as string, words: item.words as string[], action: item.action as WordListAction, source: item.source as string,
    version: item.version as number, updatedAt: item.updatedAt as string, updatedBy: item.updatedBy as string,
  };
}

/** The tenant's word lists by name (one Query; at most MAX_WORD_LISTS of them). */
export async function listWordLists(store: TableStore, tenantId: string): Promise<WordListPage> {
  const items: WordList[] = [];
  let startAfter: Record<string, string> | undefined;
  do {
    const page = await store.query({ partition: wordListKeys.partition(tenantId), sortKey: { beginsWith: WORD_LIST_SK_PREFIX }, limit: MAX_WORD_LISTS, ...(startAfter ? { startAfter } : {}) });
    items.push(...page.items.map(toWordList));
    startAfter = page.lastKey;
  } while (startAfter && items.length < MAX_WORD_LISTS);
  return { items: items.slice(0, MAX_WORD_LISTS), next: null };
}

export const WordListSkipReason = z.enum(['already-installed', 'changed-by-tenant', 'defined-by-tenant']);

export interface WordListInstallResult {
  installed: string[];
  skipped: Array<{ name: string; reason: z.infer<typeof WordListSkipReason> }>;
}

/**
 * Installs lists from a source (a template) idempotently, with the rule the template install uses
 * for custom fields: a list that exists is never overwritten — not when re-installing (it is
 * already there), not when the tenant changed it since, not when the tenant has its own list of
 * that name. Each new list is a conditional put (`notExists`) in one transaction with its audit
 * record, so concurrent installs write it once.
 */
export async function installWordLists(
  deps: { store: TableStore; clock: Clock; ids: IdGenerator },
  ctx: RequestContext,
  source: string,
  lists: readonly WordListInput[],
): Promise<WordListInstallResult> {
  WordListSource.parse(source);
  const { tenantId } = ctx.principal;
  const result: WordListInstallResult = { installed: [], skipped: [] };
  for (const input of lists) {
    const { name, words, action } = WordListInput.parse(input);
    const list: WordList = {
      name, words: normaliseWords(words), action, source, version: 1,
      updatedAt: deps.clock.now().toISOString(), updatedBy: ctx.principal.subject,
    };
    try {
      await deps.store.transact([
        { type: 'put', item: { ...wordListKeys.list(tenantId, name), entity: 'word-list', tenantId, ...list }, condition: { kind: 'notExists' } },
        auditPutOperation(auditEntryFrom(ctx, {
          action: 'compliance:install-word-list', resource: 'word-list', resourceId: name,
          changes: [{ field: 'words', after: list.words.length }, { field: 'action', after: action }],
          detail: { source },
        }, deps.clock, deps.ids)),
      ]);
      result.installed.push(name);
    } catch (error) {
      if (!(error instanceof TransactionConflictError)) throw error;
      const existing = await deps.store.get(wordListKeys.list(tenantId, name), { consistent: true });
      const reason = existing?.source !== source ? 'defined-by-tenant' : existing.version === 1 ? 'already-installed' : 'changed-by-tenant';
      result.skipped.push({ name, reason });
    }
  }
  return result;
}
