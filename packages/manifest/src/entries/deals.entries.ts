import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

const read = { context: 'sales', table: 'read', scopes: SCOPES.customersRead, permission: 'deals:read' } as const;
const write = (permission: string) => ({ context: 'sales', table: 'read-write', scopes: SCOPES.customersWrite, permission }) as const;
// Pipelines are sales configuration: `deals:manage` (admins by default; grantable to a sales lead).
const manage = write('deals:manage');

/** Sales: pipelines, deals, stage changes, the kanban board. */
export const dealEntries: ManifestEntry[] = [
  jwtRoute('sales', 'create-pipeline', 'POST', '/v1/pipelines', 'Create a pipeline with ordered stages (probability, won/lost, required fields, SLA)', manage),
  jwtRoute('sales', 'list-pipelines', 'GET', '/v1/pipelines', "The tenant's pipelines by name (?archived=true: the archived ones)", read),
  jwtRoute('sales', 'get-pipeline', 'GET', '/v1/pipelines/{id}', 'Get one pipeline (with its ETag)', read),
  jwtRoute('sales', 'replace-pipeline', 'PUT', '/v1/pipelines/{id}', 'Replace a pipeline definition (If-Match required; 409 when a removed stage still holds deals)', manage),
  jwtRoute('sales', 'update-pipeline', 'PATCH', '/v1/pipelines/{id}', 'Change a pipeline (name, description, stages; If-Match required)', manage),
  jwtRoute('sales', 'delete-pipeline', 'DELETE', '/v1/pipelines/{id}', 'Archive a pipeline: it takes no new deals, its deals stay', manage),
  jwtRoute('sales', 'get-pipeline-board', 'GET', '/v1/pipelines/{id}/board', 'Kanban view: per stage the deal count and sums per currency, and the first deals by close date (paged per stage)', read),
  jwtRoute('sales', 'create-deal', 'POST', '/v1/deals', 'Create a deal in a pipeline (first stage by default)', write('deals:create')),
  jwtRoute('sales', 'list-deals', 'GET', '/v1/deals', 'List deals (cursor pages; filter by pipeline, stage, owner, customer, close-date range)', read),
  jwtRoute('sales', 'get-deal', 'GET', '/v1/deals/{id}', 'Get one deal', read),
  jwtRoute('sales', 'update-deal', 'PATCH', '/v1/deals/{id}', 'Update a deal (JSON merge patch, If-Match required; stage via /stage)', write('deals:update')),
  jwtRoute('sales', 'delete-deal', 'DELETE', '/v1/deals/{id}', 'Delete a deal (soft; leaves lists, boards and counters)', write('deals:delete')),
  jwtRoute('sales', 'change-deal-stage', 'POST', '/v1/deals/{id}/stage', 'Move a deal to another stage (validated; history, timeline entry, events)', write('deals:update')),
  jwtRoute('sales', 'list-deal-history', 'GET', '/v1/deals/{id}/history', "A deal's stage history, oldest first", read),
  {
    kind: 'stream', name: 'retime-stage-deals', context: 'sales', entry: 'functions/sales/retime-stage-deals.handler.ts', entities: ['pipeline'],
    table: 'read-write', batchSize: 10, maxBatchingWindowSeconds: 1,
    summary: "Moves the stale timers of a stage's deals when the stage's SLA changes",
  },
];
