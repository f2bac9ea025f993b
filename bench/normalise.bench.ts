import { parseArgs } from 'node:util';
import { divisionIndex, normaliseEmail, normalisePhone, parseChineseAddress } from '@crm/core';

/**
 * Normalisation throughput: parses/s for N generated Chinese addresses (mixed full names, short
 * names, abbreviations, municipalities, unknown text), N phones and N emails, plus the one-off cost
 * of building the division index. `npm run bench -- normalise [--count 10000]`.
 */
const ADDRESS_SHAPES: Array<(p: string, c: string, d: string, i: number) => string> = [
  (p, c, d, i) => `${p}${c}${d}人民路${i}号`,
  (p, c, d, i) => `${p} ${c} ${d} 建设大道${i}号${i % 30}楼`,
  (_p, c, d, i) => `${c.replace(/市$/u, '')}${d.replace(/[区县市]$/u, '')}中山路${i}号`,
  (_p, _c, d, i) => `${d}解放路${i}弄`,
  (_p, _c, _d, i) => `未知地址 ${i}`,
];

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { count: { type: 'string' } } });
  const count = Number(values.count ?? 10_000);

  const t0 = performance.now();
  const index = divisionIndex();
  const indexMs = performance.now() - t0;

  const districts = [...index.districts.values()];
  const addresses = Array.from({ length: count }, (_, i) => {
    const district = districts[(i * 7919) % districts.length]!;
    const city = index.cities.get(district.cityCode!)!;
    const province = index.provinces.get(district.provinceCode)!;
    return ADDRESS_SHAPES[i % ADDRESS_SHAPES.length]!(province.name, city.name, district.name, i);
  });
  const phones = Array.from({ length: count }, (_, i) =>
    [`138${String(i).padStart(8, '0')}`, `+86 10 6${String(i).padStart(7, '0')}`, `0755-8${String(i).padStart(7, '0')}`, 'n/a'][i % 4]!,
  );
  const emails = Array.from({ length: count }, (_, i) => (i % 10 === 0 ? `broken ${i}` : ` User.${i}@Example${i % 50}.COM `));

  const rows = [
    measure('addresses', addresses, (a) => parseChineseAddress(a).confidence > 0),
    measure('phones', phones, (p) => normalisePhone(p, { defaultRegion: 'CN' }).valid),
    measure('emails', emails, (e) => normaliseEmail(e).valid),
  ];
  console.log(`division index built in ${indexMs.toFixed(1)} ms (${index.aliases.size.toLocaleString()} aliases)`);
  console.log('kind        count      seconds   per second   recognised');
  for (const r of rows) {
    console.log(
      `${r.kind.padEnd(11)} ${String(r.count).padStart(7)}  ${r.seconds.toFixed(3).padStart(9)}  ${Math.round(r.count / r.seconds).toLocaleString().padStart(11)}   ${((100 * r.ok) / r.count).toFixed(1)}%`,
    );
  }
}

function measure<T>(kind: string, inputs: T[], fn: (input: T) => boolean): { kind: string; count: number; seconds: number; ok: number } {
  for (const input of inputs.slice(0, 200)) fn(input); // warm-up (JIT)
  let ok = 0;
  const t0 = performance.now();
  for (const input of inputs) if (fn(input)) ok++;
  return { kind, count: inputs.length, seconds: (performance.now() - t0) / 1000, ok };
}
