import { BOUNDED_CONTEXTS, manifest, type HttpMethod, type ManifestEntry } from '@crm/manifest';

/**
 * The real manifest plus entries of kinds it does not have yet (a stream consumer, a read route in
 * another context), so the infra paths for them are tested before the first real one lands.
 * Bundling is skipped in these tests, so the handler files need not exist.
 */
export const manifestWithStreamConsumer: readonly ManifestEntry[] = [
  ...manifest,
  {
    kind: 'stream', name: 'project-timeline', context: 'interactions', entry: 'functions/interactions/project-timeline.handler.ts',
    table: 'read-write', batchSize: 100, maxBatchingWindowSeconds: 2, summary: 'Projects interactions into customer timelines',
  },
  {
    kind: 'http', name: 'list-interactions', context: 'interactions', method: 'GET', path: '/v1/customers/{id}/interactions',
    entry: 'functions/interactions/list-interactions.handler.ts', table: 'read',
    auth: { type: 'jwt', scopes: ['crm/interactions.read'], permission: 'interactions:read' }, summary: 'A customer timeline',
  },
];

/** A typical resource: list and create on the collection, read, update and delete on an item. */
const RESOURCE_ROUTES: Array<{ method: HttpMethod; item: boolean; table: 'read' | 'read-write' }> = [
  { method: 'GET', item: false, table: 'read' },
  { method: 'POST', item: false, table: 'read-write' },
  { method: 'GET', item: true, table: 'read' },
  { method: 'PATCH', item: true, table: 'read-write' },
  { method: 'DELETE', item: true, table: 'read-write' },
];

/**
 * About the size of the whole mission: `resourcesPerContext` REST resources with five routes each
 * in every bounded context (3 → 105 functions), laid out like the real API (`/v1/<things>/{id}`).
 */
export function missionSizeManifest(resourcesPerContext: number): ManifestEntry[] {
  return BOUNDED_CONTEXTS.flatMap((context) =>
    Array.from({ length: resourcesPerContext }, (_, resource) => resource).flatMap((resource) =>
      RESOURCE_ROUTES.map(({ method, item, table }): ManifestEntry => ({
        kind: 'http',
        name: `${context}-${resource}-${method.toLowerCase()}${item ? '-item' : ''}`,
        context,
        method,
        path: `/v1/${context}-things-${resource}${item ? '/{id}' : ''}`,
        entry: `functions/${context}/things-${resource}-${method.toLowerCase()}.handler.ts`,
        table,
        auth: { type: 'jwt', scopes: ['crm/customers.read'], permission: `${context}:read` },
        summary: `Synthetic ${method} route of ${context} resource ${resource}`,
      })),
    ),
  );
}
