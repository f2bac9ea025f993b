import { auditEntryFrom, auditPutOperation, diffChanges, writeAudit } from '../audit/audit-entry';
import type { AuditEntry } from '../audit/audit.schema';
import { AppError } from '../errors';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type TableStore, type TransactOperation } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { assertIfMatchVersion } from '../shared/etag';
import { compileWordLists, strongerVerdict, type ScreenHit, type ScreenVerdict, type WordListMatcher } from './aho-corasick';
import { listWordLists, normaliseWords, WordListInput, WordListName, wordListKeys, type WordList } from './word-lists';

type Deps = { store: TableStore; clock: Clock; ids: IdGenerator };

/** Body of `PUT /v1/compliance/word-lists/{name}`: the name comes from the path. */
export const WordListBody = WordListInput.omit({ name: true });
export type WordListBody = ReturnType<typeof WordListBody.parse>;

/** The `{name}` path parameter, validated (400 when malformed). */
export function wordListNameParam(params: Record<string, string | undefined>): string {
  const parsed = WordListName.safeParse(params.name);
  if (!parsed.success) throw new AppError('validation_failed', 'The list name is not valid', { errors: [{ path: 'path.name', message: parsed.error.issues[0]!.message }] });
  return parsed.data;
}

/**
 * Creates or replaces a list (`source: api`). A list that exists needs If-Match with its version
 * (428 without, 412 when stale); the write and its audit record (before/after word counts, the
 * words added and removed) commit in one transaction with a version condition.
 */
export async function putWordList(deps: Deps, ctx: RequestContext, name: string, body: WordListBody, ifMatch: string | undefined): Promise<WordList> {
  const { tenantId } = ctx.principal;
  const input = WordListInput.parse({ ...body, name });
  const current = await deps.store.get(wordListKeys.list(tenantId, name), { consistent: true });
  const currentVersion = (current?.version as number | undefined) ?? 0;
  if (current && ifMatch === undefined) throw new AppError('precondition_required', `Word list ${name} exists; send If-Match with its version`);
  if (ifMatch !== undefined) assertIfMatchVersion(ifMatch, currentVersion, `Word list ${name}`);
  const list: WordList = {
    name, words: normaliseWords(input.words), action: input.action, source: 'api', version: currentVersion + 1,
    updatedAt: deps.clock.now().toISOString(), updatedBy: ctx.principal.subject,
  };
  const beforeWords = new Set((current?.words as string[] | undefined) ?? []);
  const afterWords = new Set(list.words);
  const detail = {
    added: list.words.filter((w) => !beforeWords.has(w)).length,
    removed: [...beforeWords].filter((w) => !afterWords.has(w)).length,
  };
  await transactOrConflict(deps.store, name, [
    {
      type: 'put',
      item: { ...wordListKeys.list(tenantId, name), entity: 'word-list', tenantId, ...list },
      condition: current ? { kind: 'equals', attribute: 'version', value: currentVersion } : { kind: 'notExists' },
    },
    auditPutOperation(auditEntryFrom(ctx, {
      action: 'compliance:manage', resource: 'word-list', resourceId: name,
      changes: diffChanges(current ? summary(current) : undefined, summary(list), { ignore: [] }), detail,
    }, deps.clock, deps.ids)),
  ]);
  return list;
}

/** Deletes a list (404 when there is none; If-Match optional, checked when sent); audited with its before-image. */
export async function deleteWordList(deps: Deps, ctx: RequestContext, name: string, ifMatch: string | undefined): Promise<void> {
  const { tenantId } = ctx.principal;
  const current = await deps.store.get(wordListKeys.list(tenantId, name), { consistent: true });
  if (!current) throw new AppError('not_found', `Word list ${name} does not exist`);
  if (ifMatch !== undefined) assertIfMatchVersion(ifMatch, current.version as number, `Word list ${name}`);
  await transactOrConflict(deps.store, name, [
    { type: 'delete', key: wordListKeys.list(tenantId, name), condition: { kind: 'equals', attribute: 'version', value: current.version as number } },
    auditPutOperation(auditEntryFrom(ctx, {
      action: 'compliance:manage', resource: 'word-list', resourceId: name,
      before: { action: current.action, source: current.source, version: current.version, words: current.words },
      changes: diffChanges(summary(current), undefined, { ignore: [] }),
    }, deps.clock, deps.ids)),
  ]);
}

function summary(list: Record<string, unknown>): Record<string, unknown> {
  return { action: list.action, words: (list.words as string[]).length, source: list.source };
}

async function transactOrConflict(store: TableStore, name: string, operations: TransactOperation[]): Promise<void> {
  try {
    await store.transact(operations);
  } catch (error) {
    if (error instanceof TransactionConflictError) throw new AppError('precondition_failed', `Word list ${name} was changed concurrently; re-read it`);
    throw error;
  }
}

// ---- screening ---------------------------------------------------------------------------------

/** Compiled automatons by tenant + list versions; a changed, added or removed list changes the key. */
const MATCHER_CACHE_SIZE = 32;
const matchers = new Map<string, WordListMatcher>();

function matcherFor(tenantId: string, lists: readonly WordList[]): WordListMatcher {
  const key = `${tenantId}|${lists.map((l) => `${l.name}@${l.version}`).join(',')}`;
  let matcher = matchers.get(key);
  if (matcher) {
    // Map keeps insertion order: re-inserting marks it most recently used.
    matchers.delete(key);
  } else {
    matcher = compileWordLists(lists);
    if (matchers.size >= MATCHER_CACHE_SIZE) matchers.delete(matchers.keys().next().value!);
  }
  matchers.set(key, matcher);
  return matcher;
}

export interface TenantScreenHit extends ScreenHit {
  /** Which of the screened texts (the key of `texts`). */
  field: string;
}

export interface TenantScreenVerdict {
  /** block: refuse the item (store nothing); mask: store `masked`; flag: store as is, flagged; none: store as is. */
  action: ScreenVerdict;
  hits: TenantScreenHit[];
  /** The texts with mask-list words masked (same keys as the input). */
  masked: Record<string, string>;
}

/**
 * Screens texts (field name → text) against the tenant's word lists: one Query loads the lists,
 * the automaton is compiled once per tenant and list versions (module-level LRU, kept across warm
 * invocations). Reads only; the caller audits the hits (`wordScreeningAudit`) in its own write.
 */
export async function screenForTenant(store: TableStore, tenantId: string, texts: Record<string, string>): Promise<TenantScreenVerdict> {
  return screenWithLists(tenantId, (await listWordLists(store, tenantId)).items, texts);
}

/** Screens texts against word lists already loaded (e.g. once per ingestion batch). */
export function screenWithLists(tenantId: string, items: readonly WordList[], texts: Record<string, string>): TenantScreenVerdict {
  const verdict: TenantScreenVerdict = { action: 'none', hits: [], masked: { ...texts } };
  if (items.length === 0) return verdict;
  const matcher = matcherFor(tenantId, items);
  for (const [field, text] of Object.entries(texts)) {
    const result = matcher.screen(text);
    if (result.hits.length === 0) continue;
    verdict.hits.push(...result.hits.map((h) => ({ field, ...h })));
    verdict.action = strongerVerdict(verdict.action, result.action);
    verdict.masked[field] = result.masked;
  }
  return verdict;
}

/**
 * The audit entry of a screening with hits (undefined without): action `compliance:word-hit`,
 * outcome `denied` for block, the hits (list, word, offsets) without the surrounding text.
 */
export function wordScreeningAuditEntry(
  deps: { clock: Clock; ids: IdGenerator },
  ctx: RequestContext,
  resource: { type: string; id?: string },
  verdict: TenantScreenVerdict,
): AuditEntry | undefined {
  if (verdict.hits.length === 0) return undefined;
  return auditEntryFrom(ctx, {
    action: 'compliance:word-hit', resource: resource.type, ...(resource.id ? { resourceId: resource.id } : {}),
    outcome: verdict.action === 'block' ? 'denied' : 'success',
    detail: { verdict: verdict.action, hits: verdict.hits.map(({ field, list, word, action, start, end }) => ({ field, list, word, action, start, end })) },
  }, deps.clock, deps.ids);
}

/**
 * The audit put for a mask/flag screening, to go in the same transaction as the item it screened
 * (undefined when there were no hits). For block, where nothing is stored, use `rejectBlockedContent`.
 */
export function wordScreeningAudit(
  deps: { clock: Clock; ids: IdGenerator },
  ctx: RequestContext,
  resource: { type: string; id?: string },
  verdict: TenantScreenVerdict,
): TransactOperation | undefined {
  const entry = wordScreeningAuditEntry(deps, ctx, resource, verdict);
  return entry ? auditPutOperation(entry) : undefined;
}

/** Audits a blocked item (nothing else is written) and throws `content_blocked` (422) naming the matched rules. */
export async function rejectBlockedContent(
  deps: { store: TableStore; clock: Clock; ids: IdGenerator },
  ctx: RequestContext,
  resource: { type: string; id?: string },
  verdict: TenantScreenVerdict,
): Promise<never> {
  const entry = wordScreeningAuditEntry(deps, ctx, resource, verdict);
  if (entry) await writeAudit(deps.store, entry);
  const rules = verdict.hits.filter((h) => h.action === 'block').map(({ field, list, word }) => ({ field, list, word }));
  throw new AppError('content_blocked', `The content matches ${rules.length} blocked word(s)`, {
    errors: rules.map((r) => ({ path: `body.${r.field}`, message: `matches "${r.word}" in word list ${r.list}` })),
    rules,
  });
}
