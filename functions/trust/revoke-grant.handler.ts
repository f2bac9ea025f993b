import { revokeGrant } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'grants:manage',
  async handle({ ctx, params, container }) {
    await revokeGrant(container, ctx, recordIdParam(params, 'Grant'));
    return { status: 204 };
  },
});
