import { etagOf, loadAnalyticsSettings } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'settings:read',
  async handle({ ctx, container }) {
    const settings = await loadAnalyticsSettings(container.store, ctx.principal.tenantId, { consistent: false });
    return json(200, settings, { etag: etagOf(settings.version) });
  },
});
