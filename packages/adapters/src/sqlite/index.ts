/**
 * SQLite adapters: the embedded local default (table store + change feed). Never imported by
 * Lambda bundles, which is why this is a separate entry point from `@crm/adapters/dynamodb`.
 */
export {
  SqliteTableStore,
  TTL_USER_IDENTITY,
  prefixUpperBound,
  type SqliteTableStoreOptions,
} from './sqlite-table-store';
export {
  applySqliteMigrations,
  openSqliteDatabase,
  SQLITE_SCHEMA_VERSION,
  type OpenSqliteDatabaseOptions,
} from './sqlite-database';
export {
  ChangeFeedDispatcher,
  ChangeFeedDeliveryError,
  type ChangeFeedConsumer,
  type ChangeFeedDispatcherOptions,
  type DeliveryFailureContext,
} from './change-feed-dispatcher';
export {
  LOCAL_STREAM_ARN,
  formatSequenceNumber,
  parseSequenceNumber,
  toStreamRecord,
  type ChangelogRow,
} from './change-feed-record';
export { guardTenant, TenantIsolationError } from '../shared/leading-keys-guard';
