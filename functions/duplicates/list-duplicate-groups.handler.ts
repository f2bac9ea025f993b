import { listDuplicateGroups, ListGroupsQuery } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'customers:merge',
  query: ListGroupsQuery,
  async handle({ ctx, params, query, container }) {
    return json(200, await listDuplicateGroups(container, ctx, recordIdParam(params, 'Duplicate scan'), query));
  },
});
