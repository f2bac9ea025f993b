import { describe, expect, it } from 'vitest';
import { divisionIndex, parseChineseAddress, shortDivisionName } from '@crm/core';

type Row = [raw: string, province: string | null, city: string | null, district: string | null, districtCode: string | null, detail: string];

const levels = (raw: string) => {
  const p = parseChineseAddress(raw);
  return [raw, p.province, p.city, p.district, p.districtCode, p.detail];
};

describe('parseChineseAddress — full addresses', () => {
  it.each<Row>([
    ['广东省广州市天河区天河路385号', '广东省', '广州市', '天河区', '440106', '天河路385号'],
    ['江苏省南京市玄武区中山路1号', '江苏省', '南京市', '玄武区', '320102', '中山路1号'],
    ['浙江省杭州市西湖区文三路90号', '浙江省', '杭州市', '西湖区', '330106', '文三路90号'],
    ['中国 浙江省 杭州市 西湖区 文三路', '浙江省', '杭州市', '西湖区', '330106', '文三路'],
    ['广东省, 深圳市, 南山区 科技园', '广东省', '深圳市', '南山区', '440305', '科技园'],
    ['China, 上海市黄浦区南京东路1号', '上海市', '市辖区', '黄浦区', '310101', '南京东路1号'],
    ['吉林省吉林市昌邑区', '吉林省', '吉林市', '昌邑区', '220202', ''],
    ['山东省青岛市市南区香港中路', '山东省', '青岛市', '市南区', '370202', '香港中路'],
  ])('%s', (...row) => {
    expect(levels(row[0])).toEqual(row);
    expect(parseChineseAddress(row[0]).confidence).toBe(1);
  });
});

describe('parseChineseAddress — municipalities', () => {
  it.each<Row>([
    ['北京市朝阳区建国路88号', '北京市', '市辖区', '朝阳区', '110105', '建国路88号'],
    ['北京朝阳', '北京市', '市辖区', '朝阳区', '110105', ''],
    ['北京市市辖区海淀区中关村大街1号', '北京市', '市辖区', '海淀区', '110108', '中关村大街1号'],
    ['北京市北京市东城区', '北京市', '市辖区', '东城区', '110101', ''],
    ['上海市浦东新区世纪大道100号', '上海市', '市辖区', '浦东新区', '310115', '世纪大道100号'],
    ['上海 浦东新区 张江路', '上海市', '市辖区', '浦东新区', '310115', '张江路'],
    ['天津市和平区南京路', '天津市', '市辖区', '和平区', '120101', '南京路'],
    ['重庆市渝中区解放碑', '重庆市', '市辖区', '渝中区', '500103', '解放碑'],
    ['重庆巫山县', '重庆市', '县', '巫山县', '500237', ''],
    ['重庆石柱县', '重庆市', '县', '石柱土家族自治县', '500240', ''],
  ])('%s', (...row) => {
    expect(levels(row[0])).toEqual(row);
  });

  it('a municipality alone resolves its single prefecture but no district', () => {
    expect(parseChineseAddress('北京市')).toMatchObject({ provinceCode: '11', cityCode: '1101', districtCode: null, confidence: 0.7 });
    // Chongqing has two prefecture placeholders (市辖区, 县): the city stays unknown.
    expect(parseChineseAddress('重庆市')).toMatchObject({ provinceCode: '50', cityCode: null });
  });

  it('a district short name followed by a street word is the street, not the district', () => {
    expect(levels('上海市长宁路')).toEqual(['上海市长宁路', '上海市', '市辖区', null, null, '长宁路']);
  });
});

describe('parseChineseAddress — abbreviations and short names', () => {
  it.each<Row>([
    ['沪', '上海市', '市辖区', null, null, ''],
    ['京', '北京市', '市辖区', null, null, ''],
    ['粤', '广东省', null, null, null, ''],
    ['沪浦东', '上海市', '市辖区', '浦东新区', '310115', ''],
    ['粤 深圳南山', '广东省', '深圳市', '南山区', '440305', ''],
    ['广州天河', '广东省', '广州市', '天河区', '440106', ''],
    ['江苏昆山', '江苏省', '苏州市', '昆山市', '320583', ''],
    ['四川成都武侯区', '四川省', '成都市', '武侯区', '510107', ''],
    ['宁波鄞州', '浙江省', '宁波市', '鄞州区', '330212', ''],
    ['河北石家庄长安区', '河北省', '石家庄市', '长安区', '130102', ''],
  ])('%s', (...row) => {
    expect(levels(row[0])).toEqual(row);
  });

  it('a one-character abbreviation that starts an ordinary word is not a province', () => {
    expect(levels('新华路123号')).toEqual(['新华路123号', null, null, null, null, '新华路123号']);
    expect(levels('宁静路1号')).toEqual(['宁静路1号', null, null, null, null, '宁静路1号']);
  });

  it('abbreviations and short names cost confidence; full names do not', () => {
    const full = parseChineseAddress('广东省广州市天河区');
    const short = parseChineseAddress('广州天河');
    const abbreviated = parseChineseAddress('粤广州天河');
    expect(full.confidence).toBe(1);
    expect(short.confidence).toBeLessThan(full.confidence);
    expect(abbreviated.confidence).toBeLessThan(short.confidence);
    expect(abbreviated.districtCode).toBe(full.districtCode);
  });
});

describe('parseChineseAddress — autonomous regions and prefectures', () => {
  it.each<Row>([
    ['广西壮族自治区桂林市阳朔县西街', '广西壮族自治区', '桂林市', '阳朔县', '450321', '西街'],
    ['内蒙古呼和浩特市新城区', '内蒙古自治区', '呼和浩特市', '新城区', '150102', ''],
    ['新疆乌鲁木齐市天山区', '新疆维吾尔自治区', '乌鲁木齐市', '天山区', '650102', ''],
    ['新疆伊犁州伊宁市', '新疆维吾尔自治区', '伊犁哈萨克自治州', '伊宁市', '654002', ''],
    ['宁夏银川兴庆区', '宁夏回族自治区', '银川市', '兴庆区', '640104', ''],
    ['西藏拉萨城关区', '西藏自治区', '拉萨市', '城关区', '540102', ''],
    ['延边州延吉市', '吉林省', '延边朝鲜族自治州', '延吉市', '222401', ''],
    ['恩施州利川市', '湖北省', '恩施土家族苗族自治州', '利川市', '422802', ''],
    ['贵州黔东南州凯里市', '贵州省', '黔东南苗族侗族自治州', '凯里市', '522601', ''],
    ['云南大理州大理市', '云南省', '大理白族自治州', '大理市', '532901', ''],
    ['内蒙古锡林郭勒盟锡林浩特市', '内蒙古自治区', '锡林郭勒盟', '锡林浩特市', '152502', ''],
  ])('%s', (...row) => {
    expect(levels(row[0])).toEqual(row);
  });
});

describe('parseChineseAddress — special structures and missing levels', () => {
  it.each<Row>([
    ['湖北仙桃', '湖北省', '省直辖县级行政区划', '仙桃市', '429004', ''],
    ['湖北省神农架林区', '湖北省', '省直辖县级行政区划', '神农架林区', '429021', ''],
    ['东莞市南城街道', '广东省', '东莞市', '东莞市', '441900', '南城街道'],
    ['甘肃嘉峪关', '甘肃省', '嘉峪关市', '嘉峪关市', '620201', ''],
    ['深圳', '广东省', '深圳市', null, null, ''],
    ['湖南长沙', '湖南省', '长沙市', null, null, ''],
    ['天河区体育西路', '广东省', '广州市', '天河区', '440106', '体育西路'],
  ])('%s', (...row) => {
    expect(levels(row[0])).toEqual(row);
  });

  it('missing levels lower confidence', () => {
    const province = parseChineseAddress('广东省').confidence;
    const city = parseChineseAddress('广东省深圳市').confidence;
    const district = parseChineseAddress('广东省深圳市南山区').confidence;
    expect(province).toBe(0.4);
    expect(city).toBe(0.7);
    expect(district).toBe(1);
  });
});

describe('parseChineseAddress — unknown or ambiguous text', () => {
  it.each(['', 'abc', '中国', '香港中环皇后大道', '台北市信义区', '123 Main Street, Springfield', '请联系客服', '青年路'])(
    '%j → nothing recognised, confidence 0',
    (raw) => {
      const parsed = parseChineseAddress(raw);
      expect(parsed).toMatchObject({ raw, provinceCode: null, cityCode: null, districtCode: null, confidence: 0 });
    },
  );

  it('an ambiguous district without context is not guessed ("朝阳区" is in Beijing and Changchun)', () => {
    expect(parseChineseAddress('朝阳区建国路')).toMatchObject({ provinceCode: null, districtCode: null, detail: '朝阳区建国路', confidence: 0 });
    expect(parseChineseAddress('吉林省长春市朝阳区')).toMatchObject({ districtCode: '220104' });
  });

  it('keeps the raw text verbatim', () => {
    const raw = '  广东省广州市天河区  天河路385号 ';
    expect(parseChineseAddress(raw)).toMatchObject({ raw, detail: '天河路385号' });
  });
});

describe('division index', () => {
  it('covers the national data with codes that nest', () => {
    const index = divisionIndex();
    expect(index.provinces.size).toBe(31);
    expect(index.cities.size).toBeGreaterThan(330);
    expect(index.districts.size).toBeGreaterThan(2800);
    for (const district of index.districts.values()) expect(district.code.startsWith(district.cityCode!)).toBe(true);
    expect(divisionIndex()).toBe(index);
  });

  it.each([
    ['广州市', '广州'],
    ['延边朝鲜族自治州', '延边'],
    ['黔东南苗族侗族自治州', '黔东南'],
    ['石柱土家族自治县', '石柱'],
    ['伊犁哈萨克自治州', '伊犁'],
    ['大兴安岭地区', '大兴安岭'],
    ['锡林郭勒盟', '锡林郭勒'],
    ['浦东新区', '浦东'],
    ['赵县', undefined],
    ['城区', undefined],
  ])('short name of %s is %s', (name, short) => {
    expect(shortDivisionName(name)).toBe(short);
  });
});
