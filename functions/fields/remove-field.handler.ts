import { fieldPathParams, removeFieldDefinition } from '@crm/core';
import { httpRoute } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'fields:manage',
  async handle({ ctx, params, container }) {
    const { objectType, key } = fieldPathParams(params);
    await removeFieldDefinition(container, ctx, objectType, key);
    return { status: 204 };
  },
});
