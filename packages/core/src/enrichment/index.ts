export * from './credit-code';
export * from './enrichment.keys';
export * from './company-enrichment';
export * from './enrich-company-customer.use-case';
export * from './customer-enrichment.schema';
