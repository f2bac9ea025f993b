import { notFound } from '@crm/core';
import { httpRoute } from '@crm/runtime';

const CONTENT_TYPES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

// Relative URLs, so the page works under an API Gateway stage prefix (/prod/docs) as well as locally.
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>CRM API</title><link rel="stylesheet" href="docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', persistAuthorization: true });</script>
</body></html>`;

/** Swagger UI: `/docs` is the page, `/docs/{asset}` its two static files, served from the bundle. */
export const handler = httpRoute({
  auth: 'public',
  async handle({ params, container }) {
    const asset = params.asset;
    if (asset === undefined) return { status: 200, raw: { contentType: 'text/html; charset=utf-8', data: PAGE } };
    const type = CONTENT_TYPES[asset];
    const data = type ? container.assets.read(asset) : undefined;
    if (!type || !data) throw notFound(`Asset ${asset}`);
    return { status: 200, raw: { contentType: type, data: data.toString('utf8') }, headers: { 'cache-control': 'public, max-age=86400' } };
  },
});
