import { discardParkedInteraction } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

/** Discards a parked interaction (audited). */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'interactions:delete',
  async handle({ ctx, params, container }) {
    await discardParkedInteraction(container, ctx, recordIdParam(params, 'Parked interaction'));
    return { status: 204 };
  },
});
