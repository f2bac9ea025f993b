import { installTemplate } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'templates:manage',
  async handle({ ctx, params, container }) {
    return json(200, await installTemplate(container, ctx, params.name ?? ''));
  },
});
