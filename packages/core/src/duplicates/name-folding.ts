import { Converter } from 'opencc-js/t2cn';
import { pinyin } from 'pinyin-pro';

/**
 * Name variants for duplicate blocking: the same company written in traditional or simplified
 * characters, full- or half-width, with or without its legal form ("有限公司", "Co., Ltd.") or a
 * bracketed place ("（北京）") folds to one key; names that sound alike fold to one pinyin key.
 */
const toSimplified = Converter({ from: 'tw', to: 'cn' });

const HAN = /\p{Script=Han}/u;

/** Legal forms and generic words removed from company names (longest first). */
const COMPANY_SUFFIXES = [
  '股份有限公司', '有限责任公司', '有限公司', '集团公司', '集团', '公司', '分公司', '企业', '商行', '工作室',
  'corporation', 'incorporated', 'company', 'limited', 'holdings', 'group', 'corp', 'gmbh', 'ltd', 'llc', 'inc', 'plc', 'co', 'ag', 'sa',
];

/**
 * The folded name: NFKC, lower-case, simplified characters, no punctuation, spaces or bracketed
 * parts, and for companies no legal form. Empty when nothing distinctive is left.
 */
export function foldName(name: string, kind: 'person' | 'company'): string {
  let s = toSimplified(name.normalize('NFKC')).toLowerCase();
  s = s.replace(/[(（［\[][^)）］\]]*[)）］\]]/g, ' ');
  s = s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  if (kind === 'company') {
    let changed = true;
    while (changed) {
      changed = false;
      for (const suffix of COMPANY_SUFFIXES) {
        const latin = /^[a-z]+$/.test(suffix);
        const re = latin ? new RegExp(`(?:^|\\s)${suffix}$`) : new RegExp(`${suffix}$`);
        const next = s.replace(re, '').trim();
        if (next !== s && next.length > 0) {
          s = next;
          changed = true;
        }
      }
    }
  }
  return s.replace(/\s+/g, '');
}

/** The toneless pinyin of a folded name containing Chinese characters (undefined otherwise). */
export function namePinyin(folded: string): string | undefined {
  if (!HAN.test(folded)) return undefined;
  const spoken = pinyin(folded, { toneType: 'none', separator: '', nonZh: 'consecutive', v: true }).replace(/\s+/g, '').toLowerCase();
  return spoken === folded ? undefined : spoken;
}
