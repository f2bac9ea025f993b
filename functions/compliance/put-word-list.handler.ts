import { putWordList, WordListBody, wordListNameParam } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'compliance:manage',
  body: WordListBody,
  async handle({ ctx, params, body, headers, container }) {
    const list = await putWordList(container, ctx, wordListNameParam(params), body, headers['if-match']);
    return json(200, list, { etag: `"${list.version}"` });
  },
});
