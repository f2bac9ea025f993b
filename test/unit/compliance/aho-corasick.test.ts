import { describe, expect, it } from 'vitest';
import { compileWordLists, foldWord, MASK_CHAR, screenFields, screenText, type ScreenList } from '@crm/core';

const lists: ScreenList[] = [
  { name: 'returns', action: 'block', words: ['稳赚不赔', '保本'] },
  { name: 'contact', action: 'mask', words: ['微信', 'wechat'] },
  { name: 'review', action: 'flag', words: ['he', 'she', 'hers', 'his'] },
];

/** Every occurrence of every folded word, by brute force: the reference the automaton must equal. */
function naive(all: readonly ScreenList[], text: string): Array<[string, number, number]> {
  const folded = foldWord(text);
  const out: Array<[string, number, number]> = [];
  for (const list of all) for (const word of list.words) {
    const w = foldWord(word);
    for (let i = folded.indexOf(w); i !== -1; i = folded.indexOf(w, i + 1)) out.push([word, i, i + w.length]);
  }
  return out.sort((a, b) => a[1] - b[1] || a[2] - b[2] || a[0].localeCompare(b[0]));
}

describe('Aho–Corasick word screening', () => {
  it('finds overlapping words and words inside words (he / she / hers)', () => {
    const result = screenText(lists, 'ushers');
    // Latin words need boundaries: inside "ushers" nothing counts.
    expect(result.hits).toEqual([]);
    const cjk: ScreenList[] = [{ name: 'x', action: 'flag', words: ['他', '她们', '们的', '她们的人'] }];
    expect(screenText(cjk, '她们的人和他').hits.map((h) => [h.word, h.start, h.end])).toEqual([
      ['她们', 0, 2], ['她们的人', 0, 4], ['们的', 1, 3], ['他', 5, 6],
    ]);
  });

  it('equals a brute-force search on random texts over a small alphabet (no boundary rule for CJK)', () => {
    const alphabet = ['甲', '乙', '丙', '丁'];
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const word = () => Array.from({ length: 1 + rand(4) }, () => alphabet[rand(4)]).join('');
    const randomLists: ScreenList[] = [
      { name: 'a', action: 'flag', words: [...new Set(Array.from({ length: 12 }, word))] },
      { name: 'b', action: 'mask', words: [...new Set(Array.from({ length: 12 }, word))] },
    ];
    const matcher = compileWordLists(randomLists);
    for (let t = 0; t < 200; t++) {
      const text = Array.from({ length: rand(30) }, () => alphabet[rand(4)]).join('');
      const got = matcher.screen(text).hits.map((h) => [h.word, h.start, h.end] as [string, number, number]);
      got.sort((a, b) => a[1] - b[1] || a[2] - b[2] || a[0].localeCompare(b[0]));
      // A word in both lists is reported once per list, like the reference.
      expect(got).toEqual(naive(randomLists, text));
    }
  });

  it('matches at the very start and end of the text, and respects Latin word boundaries', () => {
    expect(screenText(lists, '稳赚不赔').hits).toEqual([{ list: 'returns', word: '稳赚不赔', action: 'block', start: 0, end: 4 }]);
    expect(screenText(lists, 'he said').hits.map((h) => h.word)).toEqual(['he']);
    expect(screenText(lists, 'said he').hits.map((h) => [h.word, h.start])).toEqual([['he', 5]]);
    expect(screenText(lists, 'the hero').hits).toEqual([]);
    expect(screenText(lists, 'add me on WeChat!').hits.map((h) => [h.word, h.start, h.end])).toEqual([['wechat', 10, 16]]);
    expect(screenText(lists, '加我微信123').hits.map((h) => h.word)).toEqual(['微信']);
    expect(screenText(lists, '').hits).toEqual([]);
  });

  it('folds traditional Chinese, full-width forms and case, with offsets in the original text', () => {
    expect(screenText(lists, '這個產品穩賺不賠').hits).toEqual([{ list: 'returns', word: '稳赚不赔', action: 'block', start: 4, end: 8 }]);
    const fullWidth = screenText(lists, '加ＷＥＣＨＡＴ');
    expect(fullWidth.hits.map((h) => [h.word, h.start, h.end])).toEqual([['wechat', 1, 7]]);
    expect(fullWidth.masked).toBe(`加${MASK_CHAR.repeat(6)}`);
    // NFKC expands one code point to several: the hit still covers exactly that code point.
    const kg: ScreenList[] = [{ name: 'units', action: 'mask', words: ['kg'] }];
    expect(screenText(kg, '5 ㎏ rice')).toMatchObject({ hits: [{ start: 2, end: 3 }], masked: '5 * rice' });
    // ...and `5㎏` folds to `5kg`, where the digit before `k` breaks the Latin word boundary.
    expect(screenText(kg, '5㎏').hits).toEqual([]);
  });

  it('masks one character per code point and keeps surrogate pairs whole', () => {
    const emoji: ScreenList[] = [{ name: 'e', action: 'mask', words: ['😀好'] }, { name: 'f', action: 'flag', words: ['𠀀'] }];
    const text = 'a😀好b𠀀c';
    const result = screenText(emoji, text);
    expect(result.hits.map((h) => [h.list, text.slice(h.start, h.end)])).toEqual([['e', '😀好'], ['f', '𠀀']]);
    expect(result.masked).toBe('a**b𠀀c');
    expect([...result.masked].length).toBe([...text].length);
    expect(result.masked).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('takes the strongest action and masks only mask-list hits', () => {
    expect(screenText(lists, 'his 微信').action).toBe('mask');
    expect(screenText(lists, 'his note').action).toBe('flag');
    expect(screenText(lists, '保本, 微信').action).toBe('block');
    expect(screenText(lists, 'nothing here').action).toBe('none');
    expect(screenText(lists, '保本, 微信 his').masked).toBe('保本, ** his');
  });

  it('screens several fields of a record without changing the input', () => {
    const record = { subject: '加微信', payload: { body: '稳赚不赔', count: 3 }, other: 'wechat' };
    const result = screenFields(lists, record, ['subject', 'payload.body', 'payload.count', 'missing.path']);
    expect(result.action).toBe('block');
    expect(result.hits.map((h) => [h.path, h.word])).toEqual([['subject', '微信'], ['payload.body', '稳赚不赔']]);
    expect(result.masked).toEqual({ subject: '加**', payload: { body: '稳赚不赔', count: 3 }, other: 'wechat' });
    expect(record.subject).toBe('加微信');
  });

  it('builds a 10k-word automaton and finds planted words in a long text', () => {
    const words = Array.from({ length: 10_000 }, (_, i) => `词${i.toString(36)}语${(i * 7919).toString(36)}`);
    const matcher = compileWordLists([{ name: 'big', action: 'mask', words }]);
    expect(matcher.patternCount).toBe(10_000);
    const text = `开头${words[9_999]}中间${'文字'.repeat(400)}${words[0]}结尾`;
    expect(matcher.screen(text).hits.map((h) => h.word)).toEqual([words[9_999], words[0]]);
  });
});
