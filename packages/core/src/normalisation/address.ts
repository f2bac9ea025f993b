import { divisionIndex, MUNICIPALITY_CODES, type AliasHit, type AliasKind, type Division, type DivisionIndex } from './china-divisions';

/**
 * A Chinese address split into administrative levels (names and GB/T 2260 codes as in the national
 * division data) and the rest (`detail`: street, building, room). Levels the text does not name but
 * that follow from a lower one are filled in ("天河区" → 广东省 广州市); levels that cannot be told
 * are null. `confidence` is 0 when nothing was recognised and 1 when all three levels were named by
 * their full names; abbreviations, short names and missing levels lower it.
 */
export interface ParsedAddress {
  raw: string;
  province: string | null;
  provinceCode: string | null;
  city: string | null;
  cityCode: string | null;
  district: string | null;
  districtCode: string | null;
  detail: string;
  confidence: number;
}

const SEPARATORS = /^[\s,，、;；:：\-—/|]+/u;
const COUNTRY_PREFIX = /^(?:中华人民共和国|中国大陆|中国|P\.?R\.?\s*China|China)[\s,，]*/iu;
// A short name followed by one of these is the start of a street name, not a district: "长宁路".
const STREET_START = /^[路街道巷弄里]/u;

const LEVEL_RANK = { province: 0, city: 1, district: 2 } as const;
const KIND_PENALTY: Record<AliasKind, number> = { full: 0, short: 0.05, abbreviation: 0.1 };

interface State {
  province?: Division;
  city?: Division;
  district?: Division;
  penalty: number;
}

/**
 * Parses a Chinese address. Accepts full names ("广东省广州市天河区"), short names ("广州天河"),
 * one-character province abbreviations ("沪", "京", "粤"), municipalities with or without the "市辖区"
 * placeholder, a leading "中国", and separators between levels. Never throws; unknown text yields
 * null levels, `detail` = the trimmed input and confidence 0.
 */
export function parseChineseAddress(raw: string): ParsedAddress {
  const index = divisionIndex();
  const text = raw.normalize('NFKC').trim().replace(COUNTRY_PREFIX, '');
  const state: State = { penalty: 0 };
  let pos = skipSeparators(text, 0);

  while (pos < text.length && !state.district) {
    const match = matchAt(index, text, pos, state);
    if (!match) break;
    apply(index, state, match.hit);
    state.penalty += KIND_PENALTY[match.hit.kind];
    pos = skipSeparators(text, skipRepeats(text, match.end, state));
  }
  completeLevels(index, state);

  const levels = (state.province ? 0.4 : 0) + (state.city ? 0.3 : 0) + (state.district ? 0.3 : 0);
  const confidence = levels === 0 ? 0 : Math.max(0.1, Math.round((levels - state.penalty) * 100) / 100);
  return {
    raw,
    province: state.province?.name ?? null,
    provinceCode: state.province?.code ?? null,
    city: state.city?.name ?? null,
    cityCode: state.city?.code ?? null,
    district: state.district?.name ?? null,
    districtCode: state.district?.code ?? null,
    detail: text.slice(pos).trim(),
    confidence,
  };
}

function skipSeparators(text: string, pos: number): number {
  const m = SEPARATORS.exec(text.slice(pos));
  return m ? pos + m[0].length : pos;
}

/** Skips what repeats a level already known ("北京市北京市朝阳区", "上海市市辖区浦东新区"). */
function skipRepeats(text: string, pos: number, state: State): number {
  for (;;) {
    const at = skipSeparators(text, pos);
    const names = [state.province, state.city].flatMap((d) => (d ? [d.name] : []));
    if (state.province && MUNICIPALITY_CODES.has(state.province.code)) names.push('市辖区', '城区');
    const repeat = names.find((name) => text.startsWith(name, at));
    if (!repeat) return pos;
    pos = at + repeat.length;
  }
}

/** Whether `division` can still be filled in given what is known. */
function fits(division: Division, state: State): boolean {
  const deepest = state.district ? 2 : state.city ? 1 : state.province ? 0 : -1;
  if (LEVEL_RANK[division.level] <= deepest) return false;
  if (state.province && division.provinceCode !== state.province.code) return false;
  if (state.city && division.cityCode !== state.city.code) return false;
  return true;
}

/**
 * The longest alias at `pos` naming a division that fits, preferring the higher level on a tie of
 * length (so "吉林市" is the city, "北京" the province). A match naming several divisions of the same
 * level is ambiguous and taken only when the context (a known province or city) narrows it to one.
 */
function matchAt(index: DivisionIndex, text: string, pos: number, state: State): { hit: AliasHit; end: number } | undefined {
  const max = Math.min(index.longestAlias, text.length - pos);
  for (let length = max; length >= 1; length--) {
    const hits = index.aliases.get(text.slice(pos, pos + length));
    if (!hits) continue;
    const rest = text.slice(pos + length);
    const candidates = hits.filter((h) => fits(h.division, state) && !(h.kind === 'short' && h.division.level === 'district' && STREET_START.test(rest)));
    if (candidates.length === 0) continue;
    const best = Math.min(...candidates.map((h) => LEVEL_RANK[h.division.level]));
    const top = candidates.filter((h) => LEVEL_RANK[h.division.level] === best);
    // Ambiguous ("朝阳区" is in Beijing and Changchun): stop rather than fall back to a shorter,
    // wrong alias ("朝阳" the city).
    if (top.length !== 1) return undefined;
    const hit = top[0]!;
    if (hit.kind === 'abbreviation' && !abbreviationStands(index, text, pos + length, hit.division)) continue;
    return { hit, end: pos + length };
  }
  return undefined;
}

/**
 * A one-character abbreviation ("新", "青", "宁") is also an ordinary word; take it only at the end of
 * the text, before a separator, digit or Latin letter, or when a city/district of that province follows.
 */
function abbreviationStands(index: DivisionIndex, text: string, end: number, province: Division): boolean {
  const rest = text.slice(end);
  if (rest.length === 0 || /^[\s,，、;；:：\-—/|0-9A-Za-z]/u.test(rest)) return true;
  return matchAt(index, text, end, { province, penalty: 0 }) !== undefined;
}

function apply(index: DivisionIndex, state: State, hit: AliasHit): void {
  const division = hit.division;
  if (division.level === 'province') state.province = division;
  if (division.level === 'city') state.city = division;
  if (division.level === 'district') state.district = division;
  state.province ??= index.provinces.get(division.provinceCode);
  if (division.cityCode && !state.city) state.city = index.cities.get(division.cityCode);
}

/**
 * Fills levels implied by the data: the single prefecture of Beijing, Tianjin and Shanghai
 * ("市辖区"), and the single county-level unit of cities without districts (东莞市, 中山市, 儋州市,
 * 嘉峪关市), which carry themselves as their district.
 */
function completeLevels(index: DivisionIndex, state: State): void {
  if (state.province && !state.city) {
    const cities = index.citiesOfProvince.get(state.province.code) ?? [];
    if (MUNICIPALITY_CODES.has(state.province.code) && cities.length === 1) state.city = cities[0];
  }
  if (state.city && !state.district) {
    const districts = index.districtsOfCity.get(state.city.code) ?? [];
    if (districts.length === 1 && districts[0]!.name === state.city.name) state.district = districts[0];
  }
}
