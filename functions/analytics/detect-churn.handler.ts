import { detectChurn } from '@crm/core';
import { getContainer } from '@crm/runtime';
import { analyticsJobsOf, forEachTenant } from './rfm-churn-container';

/**
 * Schedule (daily): for every tenant with orders in the lake, closes churn episodes of customers
 * who bought again and opens one for each high-value customer without a paid order for the
 * tenant's `churnDays` in its analytics currency (`GET/PUT /v1/settings/analytics`; default 30 days,
 * CNY) — the change feed publishes it as customer.churn-risk (packages/core/src/analytics/churn).
 */
export const handler = async (): Promise<{ tenants: number; opened: number; rearmed: number }> => {
  const container = getContainer();
  const jobs = await analyticsJobsOf(container);
  const deps = { store: container.store, clock: container.clock, ids: container.ids, engine: jobs.engine };
  const tenants = await jobs.lakeTenants('orders');
  const results = await forEachTenant('detect-churn', tenants, container.logger, async (tenantId) => ({ result: await detectChurn(deps, tenantId), log: true }));
  return { tenants: tenants.length, opened: results.reduce((sum, r) => sum + r.opened, 0), rearmed: results.reduce((sum, r) => sum + r.rearmed, 0) };
};
