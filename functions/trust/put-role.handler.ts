import { putRole, RoleDefinitionInput } from '@crm/core';
import { forgetRoleDefinitions, httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'roles:manage',
  body: RoleDefinitionInput,
  async handle({ ctx, params, body, headers, container }) {
    const role = await putRole(container, ctx, params.name ?? '', body, headers['if-match']);
    forgetRoleDefinitions(ctx.principal.tenantId);
    return json(200, role, { etag: `"${role.version}"` });
  },
});
