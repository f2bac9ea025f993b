import type { ManifestEntry } from '../manifest.types';

/** Platform: API documentation and identity triggers. */
export const platformEntries: ManifestEntry[] = [
  {
    kind: 'http', name: 'get-openapi', context: 'platform', method: 'GET', path: '/openapi.json',
    entry: 'functions/platform/get-openapi.handler.ts', auth: { type: 'public' }, table: 'none',
    assets: [{ from: 'dist/openapi.json', to: 'openapi.json' }],
    summary: 'The OpenAPI 3.1 document generated from the zod schemas',
  },
  {
    kind: 'http', name: 'get-docs', context: 'platform', method: 'GET', path: '/docs',
    entry: 'functions/platform/get-docs.handler.ts', auth: { type: 'public' }, table: 'none',
    summary: 'Swagger UI for the OpenAPI document',
  },
  {
    kind: 'http', name: 'get-docs-asset', context: 'platform', method: 'GET', path: '/docs/{asset}',
    entry: 'functions/platform/get-docs.handler.ts', auth: { type: 'public' }, table: 'none',
    assets: [
      { from: 'node_modules/swagger-ui-dist/swagger-ui.css', to: 'swagger-ui.css' },
      { from: 'node_modules/swagger-ui-dist/swagger-ui-bundle.js', to: 'swagger-ui-bundle.js' },
    ],
    summary: 'Static Swagger UI assets',
  },
  {
    kind: 'cognito-trigger', name: 'add-tenant-claims', context: 'platform', trigger: 'pre-token-generation',
    // Reads the partner client → tenant mapping (table) and admins' MFA state (user pool).
    entry: 'functions/platform/add-tenant-claims.handler.ts', table: 'read', userPool: 'read',
    summary: 'Adds tenant claims to access tokens; refuses admins without TOTP MFA and unregistered partner clients',
  },
];
