import { mergeCustomers, MergeCustomersInput } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { maskRecord } from '@crm/core';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:merge',
  body: MergeCustomersInput,
  async handle({ ctx, body, container }) {
    const { mergeId, survivor } = await mergeCustomers(container, ctx, body);
    return json(200, { mergeId, survivor: maskRecord(ctx.access, 'customers', survivor) }, { location: `/v1/merges/${mergeId}` });
  },
});
