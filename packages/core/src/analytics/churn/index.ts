export * from './churn-episode';
export * from './churn-events';
export * from './detect-churn.use-case';
