import { deleteWordList, wordListNameParam } from '@crm/core';
import { httpRoute } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'compliance:manage',
  async handle({ ctx, params, headers, container }) {
    await deleteWordList(container, ctx, wordListNameParam(params), headers['if-match']);
    return { status: 204 };
  },
});
