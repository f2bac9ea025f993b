import { AnalyticsSettingsInput, etagOf, putAnalyticsSettings } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'settings:manage',
  body: AnalyticsSettingsInput,
  async handle({ ctx, body, headers, container }) {
    const settings = await putAnalyticsSettings(container, ctx, body, headers['if-match']);
    return json(200, settings, { etag: etagOf(settings.version) });
  },
});
