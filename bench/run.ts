/**
 * `npm run bench -- <name> [options]`: runs bench/<name>.bench.ts and prints its figures.
 * Benchmarks are measurements, not tests: nothing in `npm test` depends on the machine's speed.
 */
export {};

const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  customers: () => import('./customers.bench'),
  import: () => import('./import.bench'),
  normalise: () => import('./normalise.bench'),
  dedupe: () => import('./dedupe.bench'),
  ingest: () => import('./ingest.bench'),
  timeline: () => import('./timeline.bench'),
  screen: () => import('./screen.bench'),
  analytics: () => import('./analytics.bench'),
  board: () => import('./board.bench'),
};

const [name, ...args] = process.argv.slice(2);
const load = name ? BENCHES[name] : undefined;
if (!load) {
  console.error(`Usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]`);
  process.exit(2);
}
await (await load()).run(args);
