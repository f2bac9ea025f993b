import { rehydrateCustomer } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { archiveStoreOf } from '../analytics/container-archive';
import { recordIdParam } from '../shared/record-id-param';

/** Puts a customer's archived timeline back into the live table; answers the counts (audited). */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:update',
  async handle({ ctx, params, container }) {
    return json(200, await rehydrateCustomer({ ...container, archive: archiveStoreOf(container) }, ctx, recordIdParam(params, 'Customer')));
  },
});
