/** Company-registry adapters (port: `CompanyRegistry` in @crm/core). */
export { createFixtureCompanyRegistry, type FixtureCompany } from './fixture-registry';
export { createHttpCompanyRegistry, type HttpCompanyRegistryOptions } from './http-registry';
