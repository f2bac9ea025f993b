import { createFixtureCompanyRegistry } from '@crm/adapters/company-registry';
import { createCompanyEnrichment, type CompanyEnrichment, type CompanyRegistry } from '@crm/core';
import type { Container } from '@crm/runtime';

// One enrichment (and so one circuit breaker) per container, kept across warm invocations.
const enrichments = new WeakMap<Container, CompanyEnrichment>();

/**
 * The registry of the container. Until the composition roots provide `companyRegistry`, the
 * bundled fixture registry answers (the only adapter so far).
 * TODO(lead): once Container has `companyRegistry`, use it directly and drop the fallback.
 */
function registryOf(container: Container): CompanyRegistry {
  return (container as Container & { companyRegistry?: CompanyRegistry }).companyRegistry ?? createFixtureCompanyRegistry();
}

/** The container's company enrichment (cache, budget, timeout, retry, circuit breaker over its registry). */
export function enrichmentOf(container: Container): CompanyEnrichment {
  let enrichment = enrichments.get(container);
  if (!enrichment) {
    enrichment = createCompanyEnrichment({ store: container.store, clock: container.clock, registry: registryOf(container), logger: container.logger });
    enrichments.set(container, enrichment);
  }
  return enrichment;
}
