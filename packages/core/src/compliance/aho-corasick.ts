import { Converter } from 'opencc-js/t2cn';

/**
 * Sensitive-word matching: one Aho–Corasick automaton over all of a tenant's word lists, so a text
 * is scanned once (O(text + hits)) whatever the number of words. Hand-written rather than taken
 * from npm: the packages there are either 0.0.x or abandoned, and none maps matches on a
 * normalised text back to offsets in the original string, which masking needs.
 *
 * Text and words are folded the same way, one code point at a time: NFKC (full-width → half-width,
 * compatibility forms), lower case, traditional → simplified Chinese (opencc `t` → `cn`, per
 * character: folding per character keeps a 1:n map from normalised to original positions). So
 * `穩賺不賠`, `ＳＵＲＥ　ＷＩＮ` and `Sure Win` all meet the stored forms `稳赚不赔` / `sure win`.
 *
 * (Per code point also means a decomposed accent — `e` + U+0301 — does not meet a composed `é`;
 * stored words are NFKC, i.e. composed, as most input is.)
 *
 * Words that begin (end) with a Latin letter or digit only match where the text does not continue
 * with one before (after) them — `ass` does not hit `class` — while CJK words, which have no word
 * boundaries, match anywhere.
 */

export type ScreenAction = 'block' | 'mask' | 'flag';
export type ScreenVerdict = ScreenAction | 'none';

/** What the matcher needs of a list (a stored `WordList` fits). */
export interface ScreenList {
  name: string;
  words: readonly string[];
  action: ScreenAction;
}

export interface ScreenHit {
  /** List name. */
  list: string;
  /** The word as the list stores it. */
  word: string;
  action: ScreenAction;
  /** UTF-16 offsets in the original text, `end` exclusive, never inside a surrogate pair. */
  start: number;
  end: number;
}

export interface ScreenResult {
  /** Every hit, overlapping ones included, by start then end. */
  hits: ScreenHit[];
  /** The strongest action of any hit: block > mask > flag > none. */
  action: ScreenVerdict;
  /** The text with every code point under a `mask` hit replaced by MASK_CHAR (one per code point). */
  masked: string;
}

export const MASK_CHAR = '*';

const ACTION_RANK: Record<ScreenVerdict, number> = { none: 0, flag: 1, mask: 2, block: 3 };

/** The stronger of two verdicts. */
export function strongerVerdict(a: ScreenVerdict, b: ScreenVerdict): ScreenVerdict {
  return ACTION_RANK[a] >= ACTION_RANK[b] ? a : b;
}

const toSimplified = Converter({ from: 't', to: 'cn' });
// Folding a code point is pure; texts repeat the same few thousand characters.
const foldCache = new Map<number, number[]>();
const FOLD_CACHE_LIMIT = 50_000;

/** The folded code points of one original code point (usually one, NFKC may expand: `㎏` → `kg`). */
function foldCodePoint(cp: number): number[] {
  let folded = foldCache.get(cp);
  if (folded) return folded;
  const nfkc = String.fromCodePoint(cp).normalize('NFKC').toLowerCase();
  const simplified = /[\u3400-\u9fff\uf900-\ufaff\u{20000}-\u{2ffff}]/u.test(nfkc) ? toSimplified(nfkc) : nfkc;
  folded = [...simplified].map((c) => c.codePointAt(0)!);
  if (foldCache.size < FOLD_CACHE_LIMIT) foldCache.set(cp, folded);
  return folded;
}

/** A word as the automaton stores it. */
export function foldWord(word: string): string {
  let out = '';
  for (const ch of word) out += String.fromCodePoint(...foldCodePoint(ch.codePointAt(0)!));
  return out;
}

interface FoldedText {
  cps: number[];
  /** Per folded code point, the original code point's UTF-16 start and end. */
  from: number[];
  to: number[];
}

function foldText(text: string): FoldedText {
  const cps: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    for (const f of foldCodePoint(cp)) {
      cps.push(f);
      from.push(i);
      to.push(i + width);
    }
    i += width;
  }
  return { cps, from, to };
}

const isWordChar = (cp: number | undefined): boolean =>
  cp !== undefined && ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39));

interface Pattern {
  list: string;
  word: string;
  action: ScreenAction;
  length: number;
  boundedStart: boolean;
  boundedEnd: boolean;
}

/** A compiled matcher over a set of lists; build once, screen many texts. */
export interface WordListMatcher {
  readonly patternCount: number;
  screen(text: string): ScreenResult;
}

/**
 * Builds the automaton: a trie of the folded words (goto per node as a Map of code points), failure
 * links by breadth-first search, and per node a "dictionary suffix" link to the nearest node with
 * outputs, so matching never copies output lists.
 */
export function compileWordLists(lists: readonly ScreenList[]): WordListMatcher {
  const next: Array<Map<number, number>> = [new Map()];
  const outputs: Array<number[] | undefined> = [undefined];
  const patterns: Pattern[] = [];
  for (const list of lists) {
    for (const word of list.words) {
      const folded = [...foldWord(word)].map((c) => c.codePointAt(0)!);
      if (folded.length === 0) continue;
      let node = 0;
      for (const cp of folded) {
        let child = next[node]!.get(cp);
        if (child === undefined) {
          child = next.length;
          next.push(new Map());
          outputs.push(undefined);
          next[node]!.set(cp, child);
        }
        node = child;
      }
      const index = patterns.length;
      patterns.push({
        list: list.name, word, action: list.action, length: folded.length,
        boundedStart: isWordChar(folded[0]), boundedEnd: isWordChar(folded[folded.length - 1]),
      });
      (outputs[node] ??= []).push(index);
    }
  }

  const fail = new Int32Array(next.length);
  const dictLink = new Int32Array(next.length).fill(-1);
  const queue: number[] = [];
  for (const child of next[0]!.values()) queue.push(child);
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const [cp, child] of next[node]!) {
      let f = fail[node]!;
      while (f !== 0 && !next[f]!.has(cp)) f = fail[f]!;
      const target = next[f]!.get(cp);
      fail[child] = target !== undefined && target !== child ? target : 0;
      dictLink[child] = outputs[fail[child]!] ? fail[child]! : dictLink[fail[child]!]!;
      queue.push(child);
    }
  }

  return {
    patternCount: patterns.length,
    screen(text: string): ScreenResult {
      const { cps, from, to } = foldText(text);
      const hits: ScreenHit[] = [];
      let node = 0;
      for (let i = 0; i < cps.length; i++) {
        const cp = cps[i]!;
        let child = next[node]!.get(cp);
        while (child === undefined && node !== 0) {
          node = fail[node]!;
          child = next[node]!.get(cp);
        }
        node = child ?? 0;
        for (let out = outputs[node] ? node : dictLink[node]!; out !== -1; out = dictLink[out]!) {
          for (const index of outputs[out]!) {
            const p = patterns[index]!;
            const first = i - p.length + 1;
            if (p.boundedStart && isWordChar(cps[first - 1])) continue;
            if (p.boundedEnd && isWordChar(cps[i + 1])) continue;
            hits.push({ list: p.list, word: p.word, action: p.action, start: from[first]!, end: to[i]! });
          }
        }
      }
      hits.sort((a, b) => a.start - b.start || a.end - b.end);
      return { hits, action: hits.reduce<ScreenVerdict>((v, h) => strongerVerdict(v, h.action), 'none'), masked: maskText(text, hits) };
    },
  };
}

/** Replaces every code point covered by a `mask` hit with one MASK_CHAR (surrogate pairs stay whole). */
function maskText(text: string, hits: readonly ScreenHit[]): string {
  const ranges = hits.filter((h) => h.action === 'mask');
  if (ranges.length === 0) return text;
  const covered = new Uint8Array(text.length);
  for (const h of ranges) covered.fill(1, h.start, h.end);
  let out = '';
  for (let i = 0; i < text.length; ) {
    const width = text.codePointAt(i)! > 0xffff ? 2 : 1;
    out += covered[i] ? MASK_CHAR : text.slice(i, i + width);
    i += width;
  }
  return out;
}

// Compiled matchers by the identity of the lists array (screenText called repeatedly with the same lists).
const byListsIdentity = new WeakMap<readonly ScreenList[], WordListMatcher>();

/** Screens one text against lists (compiled once per lists array, then reused). */
export function screenText(lists: readonly ScreenList[] | WordListMatcher, text: string): ScreenResult {
  return matcherOf(lists).screen(text);
}

function matcherOf(lists: readonly ScreenList[] | WordListMatcher): WordListMatcher {
  if (!Array.isArray(lists)) return lists as WordListMatcher;
  const array = lists as readonly ScreenList[];
  let matcher = byListsIdentity.get(array);
  if (!matcher) {
    matcher = compileWordLists(array);
    byListsIdentity.set(array, matcher);
  }
  return matcher;
}

export interface FieldScreenHit extends ScreenHit {
  /** Dotted path of the field the hit is in. */
  path: string;
}

export interface FieldsScreenResult {
  hits: FieldScreenHit[];
  action: ScreenVerdict;
  /** A copy of the record with masked strings at the screened paths (the input is not changed). */
  masked: Record<string, unknown>;
}

/**
 * Screens several text fields of a record (`paths` are dotted, e.g. `payload.body`); paths that are
 * missing or not strings are skipped.
 */
export function screenFields(
  lists: readonly ScreenList[] | WordListMatcher,
  record: Record<string, unknown>,
  paths: readonly string[],
): FieldsScreenResult {
  const matcher = matcherOf(lists);
  const masked = structuredClone(record);
  const hits: FieldScreenHit[] = [];
  let action: ScreenVerdict = 'none';
  for (const path of paths) {
    const keys = path.split('.');
    let parent: unknown = masked;
    for (const key of keys.slice(0, -1)) parent = isObject(parent) ? parent[key] : undefined;
    const last = keys[keys.length - 1]!;
    if (!isObject(parent) || typeof parent[last] !== 'string') continue;
    const result = matcher.screen(parent[last]);
    if (result.hits.length === 0) continue;
    hits.push(...result.hits.map((h) => ({ path, ...h })));
    action = strongerVerdict(action, result.action);
    parent[last] = result.masked;
  }
  return { hits, action, masked };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
