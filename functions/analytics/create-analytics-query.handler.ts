import { createAnalyticsQuery, CreateAnalyticsQueryInput } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

/** 202: the query is queued; poll `GET /v1/analytics/queries/{id}` (local runs finish with the next change-feed pass). */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'analytics:create',
  body: CreateAnalyticsQueryInput,
  async handle({ ctx, body, container }) {
    const accepted = await createAnalyticsQuery(container, ctx, body);
    return json(202, accepted, { location: `/v1/analytics/queries/${accepted.id}` });
  },
});
