import { createCompanyEnrichment, type CompanyEnrichment } from '@crm/core';
import type { Container } from '@crm/runtime';

// One enrichment (and so one circuit breaker) per container, kept across warm invocations.
const enrichments = new WeakMap<Container, CompanyEnrichment>();

/** The container's company enrichment (cache, budget, timeout, retry, circuit breaker over its registry). */
export function enrichmentOf(container: Container): CompanyEnrichment {
  let enrichment = enrichments.get(container);
  if (!enrichment) {
    enrichment = createCompanyEnrichment({ store: container.store, clock: container.clock, registry: container.companyRegistry, logger: container.logger });
    enrichments.set(container, enrichment);
  }
  return enrichment;
}
