import { getSecuritySettings, securitySettingsEtag } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'settings:manage',
  async handle({ ctx, container }) {
    const settings = await getSecuritySettings(container, ctx);
    return json(200, settings, { etag: securitySettingsEtag(settings.version) });
  },
});
