export * from './sql-dialect';
export * from './sql-grammar';
export * from './rfm-segments';
export * from './report-definitions';
export * from './report-sql';
export * from './scoring';
export * from './churn';
export * from './analytics-settings';
