import { maskRecord, undoMerge } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:merge',
  async handle({ ctx, params, container }) {
    const { merge, survivor } = await undoMerge(container, ctx, recordIdParam(params, 'Merge'));
    return json(200, { merge, survivor: maskRecord(ctx.access, 'customers', survivor) });
  },
});
