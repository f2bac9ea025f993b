/**
 * DynamoDB adapters. Imported by Lambda bundles, so nothing here may reach SQLite.
 */
export {
  DynamoDbTableStore,
  documentClientTranslateConfig,
  type DynamoDbTableStoreOptions,
} from './dynamodb-table-store';
export { createTableInput, timeToLiveInput } from './table-definition';
export { renderCondition, ExpressionContext, type RenderedExpression } from './condition-expression';
export {
  createTenantScopedStoreProvider,
  TENANT_SESSION_TAG,
  TENANT_SESSION_SECONDS,
  TENANT_SESSION_REFRESH_MARGIN_MS,
  type TenantScopedStoreProvider,
  type TenantScopedStoreProviderOptions,
} from './tenant-scoped-stores';
export { guardTenant, TenantIsolationError } from '../shared/leading-keys-guard';
