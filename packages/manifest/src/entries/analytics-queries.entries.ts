import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

/**
 * Analytics API (issue 7): report queries that run asynchronously like Athena (DuckDB over the
 * local lake finishes them with the next change-feed pass) and a dashboard of small figures kept up
 * to date from the change feed. Analysts and admins create queries; `analytics:read` reads them.
 */
/**
 * The report SQL, read at run time next to the bundle file (report-sql.ts reads `./sql/...`
 * relative to its module, which is the bundle's index.mjs in Lambda).
 */
export const REPORT_SQL_ASSETS = ['rfm.sql', 'funnel.sql', 'churn-risk.sql', 'inactive-customers.sql', 'fragments/customer-order-summary.sql']
  .map((file) => ({ from: `packages/core/src/analytics/sql/${file}`, to: `sql/${file}` }));

export const analyticsQueryEntries: ManifestEntry[] = [
  jwtRoute('analytics', 'create-analytics-query', 'POST', '/v1/analytics/queries', 'Queue a report (rfm, funnel, churn-risk, inactive-customers) over the lake; poll its id for the rows',
    { context: 'analytics', table: 'read-write', scopes: SCOPES.customersRead, permission: 'analytics:create' }),
  jwtRoute('analytics', 'get-analytics-query', 'GET', '/v1/analytics/queries/{id}', 'Status and, when succeeded, the rows of a report query',
    // read-write: reading a finished query's rows writes an audit entry.
    { context: 'analytics', table: 'read-write', scopes: SCOPES.customersRead, permission: 'analytics:read' }),
  jwtRoute('analytics', 'get-analytics-dashboard', 'GET', '/v1/analytics/dashboard', 'Pre-aggregated figures: customers per RFM segment, deals per pipeline stage, paid orders this and last month',
    { context: 'analytics', table: 'read', scopes: SCOPES.customersRead, permission: 'analytics:read' }),
  {
    kind: 'stream', name: 'run-analytics-queries', context: 'analytics', entry: 'functions/analytics/run-analytics-queries.handler.ts',
    entities: ['analytics-query'], table: 'read-write', analytics: 'query', batchSize: 10, maxBatchingWindowSeconds: 1, assets: REPORT_SQL_ASSETS,
    // Athena polls until the query ends (the engine gives up after 60 s); DuckDB is not used in AWS.
    timeoutSeconds: 300, memoryMb: 1024,
    summary: 'Runs queued analytics queries on Athena (DuckDB locally) and stores their rows or failure',
  },
  {
    kind: 'stream', name: 'update-dashboard', context: 'analytics', entry: 'functions/analytics/update-dashboard.handler.ts',
    entities: ['customer', 'order'], table: 'read-write', batchSize: 100, maxBatchingWindowSeconds: 5,
    summary: 'Keeps the dashboard counters (customers per RFM segment, paid orders per month) in step with customer and order changes, once per version',
  },
];
