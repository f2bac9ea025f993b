import { getOrgUnit } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'org-units:read',
  async handle({ ctx, params, container }) {
    return json(200, await getOrgUnit(container, ctx, recordIdParam(params, 'Org unit')));
  },
});
