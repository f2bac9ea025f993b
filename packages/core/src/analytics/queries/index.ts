export * from './analytics-query.schema';
export * from './analytics-query.keys';
export * from './analytics-query.use-cases';
