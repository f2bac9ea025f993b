import { LocationClient, SearchPlaceIndexForTextCommand } from '@aws-sdk/client-location';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AmazonLocationGeocoder, precisionOf } from '@crm/adapters/amazon-location';
import { LocalCentroidGeocoder, createLocalCentroidGeocoder } from '@crm/adapters/local-geocoder';
import centroids from '../../../packages/adapters/src/local-geocoder/district-centroids.json';

describe('LocalCentroidGeocoder', () => {
  const geocoder = createLocalCentroidGeocoder();

  it('answers the district centroid for a full address', async () => {
    const point = await geocoder.geocode('广东省广州市天河区天河路385号');
    expect(point).toMatchObject({ precision: 'district', source: 'local-centroid' });
    // 天河区 lies at about 113.36 E, 23.12 N.
    expect(point!.lng).toBeCloseTo(113.36, 1);
    expect(point!.lat).toBeCloseTo(23.12, 1);
  });

  it('municipal districts and abbreviations resolve too', async () => {
    const chaoyang = await geocoder.geocode('北京朝阳');
    expect(chaoyang?.precision).toBe('district');
    expect(chaoyang!.lng).toBeGreaterThan(116.3);
    expect(chaoyang!.lng).toBeLessThan(116.7);
    expect(chaoyang!.lat).toBeGreaterThan(39.8);
    expect(chaoyang!.lat).toBeLessThan(40.1);
    expect((await geocoder.geocode('沪浦东'))?.precision).toBe('district');
  });

  it('falls back to the city, then the province', async () => {
    const city = await geocoder.geocode('深圳');
    expect(city?.precision).toBe('city');
    expect(city!.lng).toBeCloseTo(114, 0);
    expect(city!.lat).toBeCloseTo(22.6, 0);
    const province = await geocoder.geocode('粤');
    expect(province?.precision).toBe('province');
  });

  it('undefined when nothing is recognised', async () => {
    expect(await geocoder.geocode('123 Main Street')).toBeUndefined();
    expect(await geocoder.geocode('')).toBeUndefined();
  });

  it('uses the next level when a district has no point in the table', async () => {
    const table = { provinces: { '44': [113.4, 23.3] }, cities: { '4401': [113.3, 23.1] }, districts: {} };
    expect(await new LocalCentroidGeocoder(table).geocode('广州天河')).toEqual({ lng: 113.3, lat: 23.1, precision: 'city', source: 'local-centroid' });
  });

  it('the bundled table has every province and nearly every district, all inside China', () => {
    expect(Object.keys(centroids.provinces)).toHaveLength(31);
    expect(Object.keys(centroids.districts).length).toBeGreaterThan(2700);
    for (const [lng, lat] of Object.values(centroids.districts) as number[][]) {
      expect(lng).toBeGreaterThan(73);
      expect(lng).toBeLessThan(136);
      expect(lat).toBeGreaterThan(3);
      expect(lat).toBeLessThan(54);
    }
  });
});

describe('AmazonLocationGeocoder', () => {
  const location = mockClient(LocationClient);
  afterEach(() => location.reset());
  const geocoder = new AmazonLocationGeocoder({
    client: new LocationClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    placeIndexName: 'crm-places',
    filterCountries: ['CHN'],
    language: 'zh-CN',
  });

  it('sends one SearchPlaceIndexForText on the configured index and maps the best result', async () => {
    location.on(SearchPlaceIndexForTextCommand).resolves({
      Summary: undefined,
      Results: [{ Place: { Geometry: { Point: [113.3245, 23.1365] }, Street: '天河路', AddressNumber: '385', Region: '广东省' } }],
    });
    const point = await geocoder.geocode('  广东省广州市天河区天河路385号 ');
    expect(point).toEqual({ lng: 113.3245, lat: 23.1365, precision: 'exact', source: 'amazon-location' });
    const calls = location.commandCalls(SearchPlaceIndexForTextCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      IndexName: 'crm-places',
      Text: '广东省广州市天河区天河路385号',
      MaxResults: 1,
      FilterCountries: ['CHN'],
      Language: 'zh-CN',
    });
  });

  it('leaves optional filters out when not configured', async () => {
    location.on(SearchPlaceIndexForTextCommand).resolves({ Summary: undefined, Results: [] });
    const bare = new AmazonLocationGeocoder({ client: new LocationClient({ region: 'ap-northeast-1' }), placeIndexName: 'idx' });
    expect(await bare.geocode('上海')).toBeUndefined();
    expect(location.commandCalls(SearchPlaceIndexForTextCommand)[0]!.args[0].input).toEqual({ IndexName: 'idx', Text: '上海', MaxResults: 1 });
  });

  it('does not call the service for blank text', async () => {
    expect(await geocoder.geocode('   ')).toBeUndefined();
    expect(location.commandCalls(SearchPlaceIndexForTextCommand)).toHaveLength(0);
  });

  it('region-level answers carry their precision', async () => {
    location.on(SearchPlaceIndexForTextCommand).resolves({
      Summary: undefined,
      Results: [{ Place: { Geometry: { Point: [121.47, 31.23] }, Municipality: '上海市', Region: '上海市', Categories: ['MunicipalityType'] } }],
    });
    expect(await geocoder.geocode('上海')).toMatchObject({ precision: 'city', lat: 31.23, lng: 121.47 });
  });

  it('a country-only answer is no answer', async () => {
    location.on(SearchPlaceIndexForTextCommand).resolves({
      Summary: undefined,
      Results: [{ Place: { Geometry: { Point: [104, 35] }, Country: 'CHN' } }],
    });
    expect(await geocoder.geocode('中国')).toBeUndefined();
  });

  it('SDK errors propagate so the caller can retry', async () => {
    location.on(SearchPlaceIndexForTextCommand).rejects(new Error('ThrottlingException'));
    await expect(geocoder.geocode('北京')).rejects.toThrow('ThrottlingException');
  });

  it.each([
    [{ Categories: ['PointOfInterestType'] }, 'exact'],
    [{ Categories: ['RegionType', 'NeighborhoodType'] }, 'district'],
    [{ Categories: ['SubRegionType'] }, 'city'],
    [{ Categories: ['RegionType'] }, 'province'],
    [{ Street: '南京路' }, 'exact'],
    [{ Neighborhood: '陆家嘴' }, 'district'],
    [{ SubRegion: '苏州市' }, 'city'],
    [{ Region: '江苏省' }, 'province'],
    [{ Country: 'CHN' }, undefined],
  ] as const)('precisionOf(%j) = %s', (fields, precision) => {
    expect(precisionOf({ Geometry: { Point: [0, 0] }, ...fields } as Parameters<typeof precisionOf>[0])).toBe(precision);
  });
});
