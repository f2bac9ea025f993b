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
