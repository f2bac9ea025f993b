import { createGrant, CreateGrantInput } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'grants:manage',
  body: CreateGrantInput,
  async handle({ ctx, body, container }) {
    const grant = await createGrant(container, ctx, body);
    return json(201, grant, { location: `/v1/grants/${grant.id}` });
  },
});
