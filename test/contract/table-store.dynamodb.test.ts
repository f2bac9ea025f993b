import { DynamoDbTableStore } from '@crm/adapters/dynamodb';
import { startDynamoDbLocal } from '../support/dynamodb-local';
import { describeTableStoreContract } from './table-store.contract';

describeTableStoreContract('DynamoDB (DynamoDB Local)', async (clock) => {
  const local = await startDynamoDbLocal();
  try {
    const tableName = await local.createTable();
    return {
      store: new DynamoDbTableStore({ client: local.documentClient, tableName, clock }),
      close: () => local.stop(),
    };
  } catch (error) {
    await local.stop();
    throw error;
  }
});
