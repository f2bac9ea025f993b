import { FieldDefinitionInput, fieldPathParams, putFieldDefinition } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'fields:manage',
  body: FieldDefinitionInput,
  async handle({ ctx, params, body, headers, container }) {
    const { objectType, key } = fieldPathParams(params);
    const field = await putFieldDefinition(container, ctx, objectType, key, body, headers['if-match']);
    return json(200, field, { etag: `"${field.version}"` });
  },
});
