import { scoreRfm } from '@crm/core';
import { getContainer } from '@crm/runtime';
import { analyticsJobsOf, forEachTenant } from './rfm-churn-container';

/**
 * Schedule (daily): for every tenant with orders in the lake, runs the RFM report and writes the
 * segment and scores onto each scored customer profile (packages/core/src/analytics/scoring), in
 * the tenant's analytics currency (`GET/PUT /v1/settings/analytics`). A failing tenant does not stop the others; the
 * run fails at the end so the schedule's retry runs it again (the write-back is idempotent).
 */
export const handler = async (): Promise<{ tenants: number; written: number }> => {
  const container = getContainer();
  const jobs = await analyticsJobsOf(container);
  const deps = { store: container.store, clock: container.clock, ids: container.ids, engine: jobs.engine };
  const tenants = await jobs.lakeTenants('orders');
  const results = await forEachTenant('score-rfm', tenants, container.logger, async (tenantId) => ({ result: await scoreRfm(deps, tenantId), log: true }));
  return { tenants: tenants.length, written: results.reduce((sum, r) => sum + r.written, 0) };
};
