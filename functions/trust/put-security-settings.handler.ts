import { putSecuritySettings, securitySettingsEtag, SecuritySettingsInput } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'settings:manage',
  body: SecuritySettingsInput,
  async handle({ ctx, body, headers, container }) {
    const settings = await putSecuritySettings(container, ctx, body, headers['if-match']);
    return json(200, settings, { etag: securitySettingsEtag(settings.version) });
  },
});
