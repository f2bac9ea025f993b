import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { manifest, type HttpRouteEntry } from '@crm/manifest';
import * as z from 'zod';
import { Problem, type RouteDoc } from './route-doc';
import { noteDocs } from './routes/notes.docs';
import { accessDocs } from './routes/access.docs';
import { auditDocs } from './routes/audit.docs';
import { customerDocs } from './routes/customers.docs';
import { fieldDocs } from './routes/fields.docs';
import { templateDocs } from './routes/templates.docs';
import { complianceDocs } from './routes/compliance.docs';
import { platformDocs } from './routes/platform.docs';
import { securityDocs } from './routes/security.docs';
import { duplicateDocs } from './routes/duplicates.docs';
import { importDocs } from './routes/imports.docs';
import { interactionDocs } from './routes/interactions.docs';
import { parkedInteractionDocs } from './routes/parked-interactions.docs';
import { recordingDocs } from './routes/recordings.docs';
import { inboundDocs } from './routes/inbound.docs';
import { webhookDocs } from './routes/webhooks.docs';
import { orderDocs } from './routes/orders.docs';
import { taskDocs } from './routes/tasks.docs';
import { dealDocs } from './routes/deals.docs';
import { analyticsQueryDocs } from './routes/analytics-queries.docs';
import { archiveDocs } from './routes/archive.docs';

/**
 * Builds the OpenAPI 3.1 document from the manifest (paths, methods, auth) and the zod schemas
 * (bodies, queries, responses). Build-time only: the zod-to-openapi generator never ships in a
 * Lambda bundle; the bundler writes the result to dist/openapi.json and the local server serves
 * the same document.
 */

const ROUTES: Record<string, RouteDoc> = { ...platformDocs, ...customerDocs, ...fieldDocs, ...templateDocs, ...complianceDocs, ...accessDocs, ...auditDocs, ...securityDocs, ...duplicateDocs, ...importDocs, ...interactionDocs, ...parkedInteractionDocs, ...recordingDocs, ...inboundDocs, ...webhookDocs, ...orderDocs, ...taskDocs, ...noteDocs, ...dealDocs, ...analyticsQueryDocs, ...archiveDocs };

export function buildOpenApiDocument(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Cognito access token (AWS) or `npx crm token ...` (local)',
  });

  for (const entry of manifest) {
    if (entry.kind !== 'http') continue;
    const doc = ROUTES[entry.name];
    if (!doc) throw new Error(`No OpenAPI description for manifest route ${entry.name}`);
    registerRoute(registry, entry, doc, bearer.name);
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'CRM API',
      version: '1.0.0',
      description: 'Multi-tenant CRM. Errors are application/problem+json with a stable `code`. Lists are cursor pages `{ items, next }`.',
    },
    servers: [{ url: '/' }],
  }) as unknown as Record<string, unknown>;
}

function registerRoute(registry: OpenAPIRegistry, entry: HttpRouteEntry, doc: RouteDoc, securityScheme: string): void {
  const problem = { content: { 'application/problem+json': { schema: Problem } } };
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(doc.ok)) {
    if (schema === undefined) responses[status] = { description: 'No content' };
    else if (schema === 'html') responses[status] = { description: 'HTML page', content: { 'text/html': { schema: z.string() } } };
    else if (schema === 'css-or-js') responses[status] = { description: 'Static asset', content: { 'text/css': { schema: z.string() }, 'text/javascript': { schema: z.string() } } };
    else responses[status] = { description: 'Success', content: { 'application/json': { schema } } };
  }
  const common = entry.auth.type === 'jwt' ? [401, 403, 429, 500] : [500];
  for (const status of [...common, ...(doc.errors ?? [])]) responses[status] = { description: 'Problem', ...problem };

  registry.registerPath({
    method: entry.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete',
    path: entry.path,
    operationId: camel(entry.name),
    summary: entry.summary,
    tags: [entry.context],
    ...(entry.auth.type === 'jwt'
      ? { security: [{ [securityScheme]: entry.auth.scopes }], description: `Requires scopes ${entry.auth.scopes.join(', ')}; permission \`${entry.auth.permission}\`.` }
      : { security: [] }),
    request: {
      ...(doc.params ? { params: doc.params } : {}),
      ...(doc.query ? { query: doc.query } : {}),
      ...(doc.headers ? { headers: doc.headers } : {}),
      ...(doc.body ? { body: { required: true, content: { 'application/json': { schema: doc.body } } } } : {}),
    },
    responses: responses as never,
  });
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
