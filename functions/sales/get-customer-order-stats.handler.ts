import { getOrderStats, maskOrderStats } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { customerIdParam } from '../customers/customer-http';

/** The customer's per-currency order totals (kept with every order write; a merged id answers with its survivor's). */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'orders:read',
  async handle({ ctx, params, container }) {
    return json(200, maskOrderStats(ctx.access, await getOrderStats(container, ctx, customerIdParam(params))));
  },
});
