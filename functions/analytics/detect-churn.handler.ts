import { detectChurn } from '@crm/core';
import { getContainer } from '@crm/runtime';
import { analyticsJobsOf } from './rfm-churn-container';

/**
 * Schedule (daily): for every tenant with orders in the lake, closes churn episodes of customers
 * who bought again and opens one for each high-value customer without a paid order for the
 * tenant's `churnDays` in its analytics currency (`GET/PUT /v1/settings/analytics`; default 30 days,
 * CNY) — the change feed publishes it as customer.churn-risk (packages/core/src/analytics/churn).
 */
export const handler = async (): Promise<{ tenants: number; opened: number; rearmed: number }> => {
  const container = getContainer();
  const jobs = await analyticsJobsOf(container);
  const tenants = await jobs.lakeTenants('orders');
  let opened = 0;
  let rearmed = 0;
  const failures: unknown[] = [];
  for (const tenantId of tenants) {
    try {
      const result = await detectChurn({ store: container.store, clock: container.clock, ids: container.ids, engine: jobs.engine }, tenantId);
      opened += result.opened;
      rearmed += result.rearmed;
      container.logger.info('churn detected', { ...result });
    } catch (error) {
      failures.push(error);
      container.logger.error('churn detection failed', { tenantId, error });
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `detect-churn failed for ${failures.length} of ${tenants.length} tenants`);
  return { tenants: tenants.length, opened, rearmed };
};
