export * from './archive.keys';
export * from './archive-expired.use-case';
export * from './rehydrate.use-case';
export * from './reconcile-archive';
export * from './archive.schema';
