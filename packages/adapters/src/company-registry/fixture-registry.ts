import { CompanyRecord, nameKey, normalizeCreditCode, type CompanyQuery, type CompanyRegistry } from '@crm/core';
import fixture from './fixtures/company-registry.json';

/** A fixture company as stored in the JSON file (`source` is added by the adapter). */
export type FixtureCompany = Omit<CompanyRecord, 'source'>;

/**
 * The local (embedded default) company registry: a fixed list of fictitious companies, looked up
 * by credit code or by exact (case/width-folded) name. Bundled as JSON, so it also works inside a
 * Lambda bundle until a provider adapter is configured.
 */
export function createFixtureCompanyRegistry(companies: readonly FixtureCompany[] = fixture.companies as FixtureCompany[]): CompanyRegistry {
  const records = companies.map((c) => CompanyRecord.parse({ ...c, source: 'fixture' })); // a broken fixture fails at start-up
  const byCode = new Map(records.map((r) => [r.creditCode, r]));
  const byName = new Map(records.map((r) => [nameKey(r.name), r]));
  return {
    async lookup(query: CompanyQuery) {
      if (query.creditCode !== undefined) return byCode.get(normalizeCreditCode(query.creditCode));
      if (query.name !== undefined) return byName.get(nameKey(query.name));
      return undefined;
    },
  };
}
