export * from './dashboard.keys';
export * from './dashboard-counters';
export * from './dashboard.use-case';
