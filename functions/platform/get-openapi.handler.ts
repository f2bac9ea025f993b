import { notFound } from '@crm/core';
import { httpRoute } from '@crm/runtime';

/** Serves the OpenAPI document generated from the zod schemas at build time (never built at run time). */
export const handler = httpRoute({
  auth: 'public',
  async handle({ container }) {
    const document = container.assets.read('openapi.json');
    if (!document) throw notFound('The OpenAPI document');
    return { status: 200, raw: { contentType: 'application/json', data: document.toString('utf8') }, headers: { 'cache-control': 'public, max-age=300' } };
  },
});
