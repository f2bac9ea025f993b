import { deleteOrgUnit } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'org-units:manage',
  async handle({ ctx, params, container }) {
    await deleteOrgUnit(container, ctx, recordIdParam(params, 'Org unit'));
    return { status: 204 };
  },
});
