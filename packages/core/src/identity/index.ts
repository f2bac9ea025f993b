export * from './partner-client.keys';
export * from './token-claims.use-case';
