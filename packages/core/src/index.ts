export * from './ports/table-store.port';
export * from './ports/clock.port';
export * from './ports/id-generator.port';
export * from './principal';
export * from './errors';
export * from './pagination/cursor';
export * from './customers';
export * from './idempotency/idempotency';
