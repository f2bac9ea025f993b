import { parseArgs } from 'node:util';
import { compileWordLists, type ScreenList } from '@crm/core';

/**
 * Sensitive-word screening throughput: builds one automaton over `--words` (default 10,000) words
 * in three lists, then screens `--texts` (default 2,000) texts of about 1 KB (mixed Chinese, Latin,
 * traditional and full-width characters, two planted words in each). Prints build time and
 * texts/s, MB/s and matches/s. `npm run bench -- screen [--words 10000] [--texts 2000]`.
 */
const SYLLABLES = [...'的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经'];

function word(i: number): string {
  let s = '';
  for (let n = i * 2654435761 >>> 0, k = 0; k < 2 + (i % 3); k++, n = Math.floor(n / SYLLABLES.length)) s += SYLLABLES[n % SYLLABLES.length];
  return i % 5 === 0 ? `w${i.toString(36)}x` : s;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { words: { type: 'string' }, texts: { type: 'string' } } });
  const wordCount = Number(values.words ?? 10_000);
  const textCount = Number(values.texts ?? 2_000);
  const words = Array.from({ length: wordCount }, (_, i) => word(i));
  const lists: ScreenList[] = [
    { name: 'block', action: 'block', words: words.filter((_, i) => i % 3 === 0) },
    { name: 'mask', action: 'mask', words: words.filter((_, i) => i % 3 === 1) },
    { name: 'flag', action: 'flag', words: words.filter((_, i) => i % 3 === 2) },
  ];

  const t0 = performance.now();
  const matcher = compileWordLists(lists);
  const buildMs = performance.now() - t0;

  const filler = 'Customer called about the 產品 order，ＡＢＣ-123 交付時間 and 价格 details. ';
  const texts = Array.from({ length: textCount }, (_, i) => {
    let text = `#${i} `;
    while (Buffer.byteLength(text) < 1000) text += filler;
    // Every text hides two list words (one Latin-shaped, one Chinese), like a flagged message would.
    return `${text} ${words[(i * 31) % wordCount]} ${words[(i * 17 + 1) % wordCount]} `;
  });
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

  for (const text of texts.slice(0, 200)) matcher.screen(text); // warm-up (JIT, fold cache)
  let matches = 0;
  const t1 = performance.now();
  for (const text of texts) matches += matcher.screen(text).hits.length;
  const seconds = (performance.now() - t1) / 1000;

  console.log(`automaton: ${matcher.patternCount.toLocaleString()} words built in ${buildMs.toFixed(1)} ms`);
  console.log(`screened ${textCount.toLocaleString()} texts (${(bytes / textCount / 1024).toFixed(2)} KB avg) in ${seconds.toFixed(3)} s`);
  console.log(`${Math.round(textCount / seconds).toLocaleString()} texts/s, ${(bytes / 1024 / 1024 / seconds).toFixed(1)} MB/s, ${Math.round(matches / seconds).toLocaleString()} matches/s (${matches.toLocaleString()} matches)`);
}
