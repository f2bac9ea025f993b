import { archiveInactiveCustomers, DEFAULT_MAX_ARCHIVED_PER_RUN } from '@crm/core';
import { getContainer, parseConfig } from '@crm/runtime';
import * as z from 'zod';
import { archiveStoreOf } from './container-archive';
import { analyticsJobsOf, forEachTenant } from './rfm-churn-container';

/** Operational knob (docs/runbook.md): customers archived per tenant and run; the rest wait a day. */
export const ArchiveCustomersConfig = z.object({
  CRM_CUSTOMER_ARCHIVE_MAX_PER_TENANT: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_MAX_ARCHIVED_PER_RUN),
});

/**
 * Schedule (daily): for every tenant with customers in the lake, finishes interrupted customer
 * archivings and, when the tenant set `customerArchiveAfterDays`, archives its inactive customers
 * into stubs (packages/core/src/archive/archive-inactive-customers.use-case.ts, ADR 0034). A failing
 * tenant does not stop the others; the run fails at the end so the schedule's retry runs it again
 * (every step is idempotent or conditional).
 */
export const handler = async (): Promise<{ tenants: number; archived: number; resumed: number }> => {
  const container = getContainer();
  const { CRM_CUSTOMER_ARCHIVE_MAX_PER_TENANT: maxArchived } = parseConfig(ArchiveCustomersConfig, process.env);
  const jobs = await analyticsJobsOf(container);
  const deps = { store: container.store, clock: container.clock, ids: container.ids, engine: jobs.engine, archive: archiveStoreOf(container) };
  const tenants = await jobs.lakeTenants('customer_snapshots');
  const results = await forEachTenant('archive-inactive-customers', tenants, container.logger, async (tenantId) => {
    const result = await archiveInactiveCustomers(deps, tenantId, { maxArchived });
    return { result, log: result.days !== null || result.resumed > 0 };
  });
  return {
    tenants: tenants.length,
    archived: results.reduce((sum, r) => sum + r.archived, 0),
    resumed: results.reduce((sum, r) => sum + r.resumed, 0),
  };
};
