import { createOrgUnit, CreateOrgUnitInput } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'org-units:manage',
  body: CreateOrgUnitInput,
  async handle({ ctx, body, container }) {
    const unit = await createOrgUnit(container, ctx, body);
    return json(201, unit, { location: `/v1/org-units/${unit.id}` });
  },
});
