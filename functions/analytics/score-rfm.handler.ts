import { scoreRfm } from '@crm/core';
import { getContainer } from '@crm/runtime';
import { analyticsJobsOf } from './rfm-churn-container';

/**
 * Schedule (daily): for every tenant with orders in the lake, runs the RFM report and writes the
 * segment and scores onto each scored customer profile (packages/core/src/analytics/scoring), in
 * the tenant's analytics currency (`GET/PUT /v1/settings/analytics`). A failing tenant does not stop the others; the
 * run fails at the end so the schedule's retry runs it again (the write-back is idempotent).
 */
export const handler = async (): Promise<{ tenants: number; written: number; failed: number }> => {
  const container = getContainer();
  const jobs = await analyticsJobsOf(container);
  const tenants = await jobs.lakeTenants('orders');
  let written = 0;
  const failures: unknown[] = [];
  for (const tenantId of tenants) {
    try {
      const result = await scoreRfm({ store: container.store, clock: container.clock, ids: container.ids, engine: jobs.engine }, tenantId);
      written += result.written;
      container.logger.info('rfm scored', { ...result });
    } catch (error) {
      failures.push(error);
      container.logger.error('rfm scoring failed', { tenantId, error });
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `score-rfm failed for ${failures.length} of ${tenants.length} tenants`);
  return { tenants: tenants.length, written, failed: 0 };
};
